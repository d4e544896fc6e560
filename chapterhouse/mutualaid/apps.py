from datetime import datetime
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualAidConfig(AppConfig):
    name = "chapterhouse.mutualaid"
    label = "mutualaid"
    verbose_name = _("Mutual aid")

    def ready(self) -> None:
        # The member's offers and requests in their data export. The rows go with the
        # account (their author's foreign key cascades): nobody else needs them.
        from chapterhouse.members import account_data

        from . import selectors

        account_data.register(account_data.Holding(app=self.label,
                                                   export=selectors.account_export))
        # A new member's entries count towards the newcomer limits (chapters.limits).
        from chapterhouse.chapters import limits

        limits.register_counter("mutualaid.entry", _entries_of)
        # Members report an offer or a request to the facilitators of its chapter.
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="mutualaid.entry", chapter_of=lambda entry: entry.chapter,
            excerpt=lambda entry: f"{entry.title}\n{entry.description}",
            author_of=lambda entry: entry.author, view="mutualaid.view_entry",
            related=("chapter", "author"),
        ))


def _entries_of(member: Any, since: datetime | None, most: int) -> list[datetime]:
    """When `member` posted their entries since `since` (ever: None), newest first."""
    from .models import Entry

    rows = Entry.objects.filter(author=member)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return list(rows.order_by("-created_at").values_list("created_at", flat=True)[:most])
