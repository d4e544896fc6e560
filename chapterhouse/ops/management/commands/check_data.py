"""Check the data a backup or a restore should be trusted with: the database's own
integrity, the stored counters against recounts, the decision chain, the uploads."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from chapterhouse.ops import selectors


class Command(BaseCommand):
    help = (
        "Check the data: SQLite's integrity check (on PostgreSQL, every table read in "
        "full), chapter member counts, thread post counts and the chapter tree against "
        "recounts, the decision record chain (as verify_decisions), and that every "
        "uploaded file the database names exists (private messages' images included, in "
        "PRIVATE_MEDIA_ROOT). Prints each problem; exits 1 if any."
    )

    def handle(self, *args: object, **options: Any) -> None:
        found = 0
        for check in selectors.checks():
            try:
                problems = check.run()
            except DatabaseError as error:
                problems = [f"The check could not run: {error}"]
            found += len(problems)
            if not problems:
                self.stdout.write(f"{check.name}: {self.style.SUCCESS('OK')}")
                continue
            self.stdout.write(f"{check.name}: {self.style.ERROR(f'{len(problems)} problem(s)')}")
            for problem in problems:
                self.stdout.write(f"  - {problem}")
        if found:
            raise CommandError(f"check_data found {found} problem(s).", returncode=1)
        self.stdout.write(self.style.SUCCESS("All checks passed."))
