from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "chapterhouse.polls"
    label = "polls"
    verbose_name = _("Polls and surveys")

    def ready(self) -> None:
        # The member's polls and named answers in their export; their answers go when
        # they delete their account, their polls stay without an author.
        from chapterhouse.members import account_data

        from . import selectors, services

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
            remove_on_deletion=services.remove_answers_of,
        ))
