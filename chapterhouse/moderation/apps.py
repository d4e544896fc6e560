from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "chapterhouse.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from chapterhouse.chapters import panels

        from . import notices, rules, views  # noqa: F401

        # The facilitators' way to their queue, on the chapter page.
        panels.register(panels.Panel(app=self.label, template="moderation/_panel.html",
                                     context=views.panel_context, order=-10))
