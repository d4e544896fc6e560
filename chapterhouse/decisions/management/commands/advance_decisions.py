"""Open, remind and close every proposal whose time has come (cron, and the safety net
under the scheduled tasks)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from chapterhouse.decisions.services import advance_all


class Command(BaseCommand):
    help = "Open and close votes that are due, and send the last-day reminders. Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        counts = advance_all()
        self.stdout.write(
            "opened {opened}, reminded on {reminded}, closed {closed}, failed {failed}".format(
                **counts
            )
        )
