"""Record the activity of everything that exists (idempotent: run it as often as you
like; the demo runs it after seeding)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chapterhouse.activity import services


class Command(BaseCommand):
    help = "Build the activity feed's rows for existing proposals, decisions, events…"

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.backfill()
        self.stdout.write(f"Activity recorded for {count} objects.")
