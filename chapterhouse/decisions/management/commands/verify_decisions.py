"""Walk the hash chain of decision records and report any tampering."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chapterhouse.decisions import selectors
from chapterhouse.decisions.models import Decision


class Command(BaseCommand):
    help = (
        "Verify the hash chain of decision records: reports altered, removed or reordered "
        "records. Exits 1 on failure."
    )

    def handle(self, *args: object, **options: object) -> None:
        problems = selectors.chain_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"The decision record chain is broken ({len(problems)} problem(s)).", returncode=1
            )
        self.stdout.write(
            self.style.SUCCESS(f"{Decision.objects.count()} decision records, chain intact.")
        )
