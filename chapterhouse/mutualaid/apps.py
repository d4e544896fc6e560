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
        # Members report an offer or a request to the facilitators of its chapter.
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="mutualaid.entry", chapter_of=lambda entry: entry.chapter,
            excerpt=lambda entry: f"{entry.title}\n{entry.description}",
            author_of=lambda entry: entry.author, view="mutualaid.view_entry",
            related=("chapter", "author"),
        ))
