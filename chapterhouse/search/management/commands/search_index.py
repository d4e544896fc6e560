"""manage.py search_index --rebuild [--kind KIND …]: index everything again (batched);
entries of things that are gone are dropped. Safe to run at any time, and twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chapterhouse.search import services
from chapterhouse.search.sources import BY_KIND


class Command(BaseCommand):
    help = "Rebuild the search index from the apps' rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Index everything again.")
        parser.add_argument("--kind", action="append", choices=sorted(BY_KIND),
                            help="Only this kind (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["rebuild"]:
            raise CommandError("Say --rebuild to index everything again.")
        counts = services.rebuild(kinds=options["kind"])
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
