from datetime import datetime
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "chapterhouse.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        # Their comments (a discussions thread) are read by whoever sees them.
        from chapterhouse.discussions import subjects

        subjects.register("events.event", "events.view_event")
        # What a member answered and the events they made, in their data export. Their
        # answers go with their account (the rows cascade); their events stay.
        from chapterhouse.members import account_data

        from . import selectors

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
        ))
        # A new member's events count towards the newcomer limits (chapters.limits).
        from chapterhouse.chapters import limits

        limits.register_counter("events.event", _events_of)
        # Members report an event to the facilitators of its chapter (moderation).
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="events.event", chapter_of=lambda event: event.chapter,
            excerpt=lambda event: f"{event.title}\n{event.description}",
            author_of=lambda event: event.author, view="events.view_event",
            related=("chapter", "author"),
        ))


def _events_of(member: Any, since: datetime | None, most: int) -> list[datetime]:
    """When `member` made their events since `since` (ever: None), newest first."""
    from .models import Event

    rows = Event.objects.filter(author=member)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return list(rows.order_by("-created_at").values_list("created_at", flat=True)[:most])
