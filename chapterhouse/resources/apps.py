from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "chapterhouse.resources"
    label = "resources"
    verbose_name = _("Resources and lessons")

    def ready(self) -> None:
        # The member's resources and lessons in their export, and removable when they leave.
        from chapterhouse.members import account_data

        from . import selectors, services

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
            remove_writing=services.remove_writing_of,
        ))
        # Members report a resource or a lesson to the facilitators of its chapter.
        from chapterhouse.lib import reportables

        for label, view in (("resources.resource", "resources.view_resource"),
                            ("resources.lesson", "resources.view_lesson")):
            reportables.register(reportables.Reportable(
                label=label, chapter_of=lambda item: item.chapter,
                excerpt=_excerpt,
                author_of=lambda item: item.author, view=view,
                related=("chapter", "author"),
            ))


def _excerpt(item: Any) -> str:
    """A resource's title and description, a lesson's title and text."""
    return f"{item.title}\n{getattr(item, 'description', '') or getattr(item, 'body', '')}"
