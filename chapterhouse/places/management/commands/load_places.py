"""manage.py load_places: load the shipped gazetteer into the Place table."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chapterhouse.places import gazetteer
from chapterhouse.places.services import load_gazetteer


class Command(BaseCommand):
    help = _(
        "Load countries, their regions and cities from the gazetteer shipped with "
        "Chapterhouse. Safe to run again: only new or changed places are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--countries",
            default="",
            metavar="GB,FR",
            help=_(
                "Comma-separated ISO country codes: load regions and cities of these "
                "countries only (all countries are always loaded). Default: every country."
            ),
        )
        parser.add_argument(
            "--min-population",
            type=int,
            default=0,
            metavar="N",
            help=_("Skip cities with fewer than N inhabitants. Default: 0 (load all)."),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            metavar="N",
            help=_("Rows written per batch (SQLite may split them further). Default: 1000."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        countries = {c.strip().upper() for c in options["countries"].split(",") if c.strip()}
        known = {record.code for record in gazetteer.read_countries()}
        if unknown := sorted(countries - known):
            raise CommandError(
                _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))

        started = time.monotonic()
        report = load_gazetteer(
            countries=countries or None,
            min_population=max(0, options["min_population"]),
            batch_size=options["batch_size"],
            progress=options["verbosity"] >= 1,
        )
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Gazetteer %(version)s loaded in %(seconds).1f s: %(created)d "
                        "places created, %(updated)d updated, %(unchanged)d unchanged."
                    )
                    % {
                        "version": gazetteer.data_version(),
                        "seconds": time.monotonic() - started,
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    }
                )
            )
