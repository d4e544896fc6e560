"""manage.py refresh_chapter_names: chapters take their places' names again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chapterhouse.chapters.services import refresh_place_names


class Command(BaseCommand):
    help = _(
        "Copy the names of places (in every language) into their chapters. Run it "
        "after load_places has brought a new gazetteer. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = refresh_place_names()
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "%(count)d chapter renamed.", "%(count)d chapters renamed.", changed
                    )
                    % {"count": changed}
                )
            )
