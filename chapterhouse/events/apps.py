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
