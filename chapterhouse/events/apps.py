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
        # Members report an event to the facilitators of its chapter (moderation).
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="events.event", chapter_of=lambda event: event.chapter,
            excerpt=lambda event: f"{event.title}\n{event.description}",
            author_of=lambda event: event.author, view="events.view_event",
            related=("chapter", "author"),
        ))
