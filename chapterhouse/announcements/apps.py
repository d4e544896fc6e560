from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "chapterhouse.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self) -> None:
        # The latest announcements on the chapter page, and the member's in their export.
        from chapterhouse.chapters import panels
        from chapterhouse.members import account_data

        from . import selectors, views

        panels.register(panels.Panel(
            app=self.label, template="announcements/_panel.html",
            context=views.panel_context, order=-10,
        ))
        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
        ))
