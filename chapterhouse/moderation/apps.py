from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "chapterhouse.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from chapterhouse.chapters import panels
        from chapterhouse.lib import pagecache
        from chapterhouse.members import account_data

        from . import notices, rules, views  # noqa: F401

        # The facilitators' way to their queue, on the chapter page.
        panels.register(panels.Panel(app=self.label, template="moderation/_panel.html",
                                     context=views.panel_context, order=-10))
        pagecache.register_hole("moderation.waiting", views.waiting_line)
        # The member's reports and appeals in their data export.
        from . import selectors

        account_data.register(account_data.Holding(app=self.label,
                                                   export=selectors.account_export))
