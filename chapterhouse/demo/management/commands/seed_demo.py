"""manage.py seed_demo: create the demo organisation and print its ready-made login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chapterhouse.activity import services as activity
from chapterhouse.demo import people as demo
from chapterhouse.demo.decisions import seed_decisions
from chapterhouse.demo.life import seed_chapter_life


class Command(BaseCommand):
    help = _(
        "Create a believable demo organisation: members in many countries with local "
        "names, living in real cities of the loaded gazetteer, with chapter descriptions, "
        "facilitators and a ready-made login. Does nothing if the demo already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members", type=int, default=demo.DEFAULT_MEMBERS, metavar="N",
            help=_("How many members to create. Default: %(default)s."),
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, metavar="N",
            help=_("Random seed: the same seed makes the same organisation. Default: %(default)s."),
        )
        parser.add_argument(
            "--batch-size", type=int, default=demo.BATCH_SIZE, metavar="N",
            help=_("Rows written per database statement. Default: %(default)s."),
        )
        parser.add_argument(
            "--chapters", type=int, default=None, metavar="N",
            help=_("Give the organisation the benchmark's shape: about N chapters over the "
                   "most populous cities, with Zipf-distributed members per chapter."),
        )
        parser.add_argument(
            "--no-decisions", action="store_false", dest="decisions",
            help=_("Do not create the demo decisions (the benchmark generates its own)."),
        )
        parser.add_argument(
            "--no-chapter-life", action="store_false", dest="chapter_life",
            help=_("Do not create the demo's announcements, events, blogs, projects, "
                   "resources, mutual aid and chat (left out with --no-decisions too)."),
        )
        parser.add_argument(
            "--zipf", type=float, default=1.0, metavar="S",
            help=_("With --chapters: the Zipf exponent of the members per chapter. "
                   "Default: %(default)s."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["members"] < 1:
            raise CommandError(_("--members must be at least 1."))
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        if options["chapters"] is not None and options["chapters"] < 1:
            raise CommandError(_("--chapters must be at least 1."))
        if options["zipf"] <= 0:
            raise CommandError(_("--zipf must be greater than 0."))
        verbose = options["verbosity"] >= 1
        try:
            report = demo.seed_demo(
                members=options["members"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                chapters=options["chapters"],
                zipf=options["zipf"],
                progress=(lambda message: self.stdout.write(message)) if verbose else None,
                show_bar=verbose and self.stderr.isatty(),
            )
        except demo.GazetteerEmpty:
            raise CommandError(
                _("The gazetteer is empty: run `manage.py load_places` first.")
            ) from None
        if report.created:
            self.stdout.write(self.style.SUCCESS(
                _("Demo organisation created in %(seconds).1f s: %(members)d members in "
                  "%(countries)d countries, %(chapters)d chapters.")
                % {"seconds": report.seconds, "members": report.members,
                   "countries": report.countries, "chapters": report.chapters}
            ))
            if options["verbosity"] >= 2:
                for step, seconds in report.timings.items():
                    self.stdout.write(f"  {step}: {seconds:.1f} s")
        else:
            self.stdout.write(_("The demo organisation already exists."))
        if options["decisions"]:
            self._decisions(options, verbose)
            if options["chapter_life"]:
                self._chapter_life(options, verbose)
        # The activity feeds of what was seeded (bulk inserts send no signals).
        activity.backfill()
        self.stdout.write(
            _("Sign in at %(url)s as %(email)s with the password %(password)s "
              "(home: %(chapter)s, which you facilitate).")
            % {
                "url": settings.SITE_URL.rstrip("/") + "/accounts/login/",
                "email": report.email,
                "password": report.password,
                "chapter": report.home.display_name(),
            }
        )

    def _decisions(self, options: dict[str, Any], verbose: bool) -> None:
        decisions = seed_decisions(
            seed=options["seed"],
            progress=(lambda message: self.stdout.write(message)) if verbose else None,
        )
        if decisions.created:
            self.stdout.write(self.style.SUCCESS(
                _("Demo decisions created: %(proposals)d proposals, %(decisions)d decided.")
                % {"proposals": decisions.proposals, "decisions": decisions.decisions}
            ))

    def _chapter_life(self, options: dict[str, Any], verbose: bool) -> None:
        life = seed_chapter_life(
            seed=options["seed"],
            progress=(lambda message: self.stdout.write(message)) if verbose else None,
        )
        if life.created:
            self.stdout.write(self.style.SUCCESS(
                ngettext("Demo chapter life created: %(count)d section.",
                         "Demo chapter life created: %(count)d sections.",
                         len(life.sections))
                % {"count": len(life.sections)}
            ))
