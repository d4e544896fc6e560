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
