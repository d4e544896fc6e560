from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "chapterhouse.decisions"
    label = "decisions"
    verbose_name = _("Decisions")

    def ready(self) -> None:
        # The member's proposals, amendments, stakes and ballots in their export.
        # Nothing is removed when they leave: it is part of the decisions' record.
        from chapterhouse.members import account_data

        from . import selectors

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
        ))
