"""Gather and send this period's digests (cron: once a day), or start the worker's own
daily run (--schedule)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chapterhouse.notifications.tasks import schedule_digests, send_digests


class Command(BaseCommand):
    help = ("Gather each member's daily digest (and, once a week, their weekly digest) and "
            "queue it for sending. Safe to run twice: a member gets one digest per period.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true",
            help="Also let the worker run this every day at DIGEST_HOUR (needs a task "
                 "backend that can defer tasks; starting it twice schedules one run).")

    def handle(self, *args: Any, **options: Any) -> None:
        made = send_digests.call(False)
        self.stdout.write(f"queued {made} digests")
        if options["schedule"]:
            scheduled = schedule_digests()
            self.stdout.write("scheduled the daily run" if scheduled
                              else "the daily run is scheduled already, or cannot be")
