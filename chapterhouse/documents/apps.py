from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "chapterhouse.documents"
    label = "documents"
    verbose_name = _("Founding documents")

    def ready(self) -> None:
        # A chapter's founding documents listed on the chapter page.
        from chapterhouse.chapters import panels

        from . import views

        panels.register(panels.Panel(
            app=self.label, template="documents/_panel.html",
            context=views.panel_context, order=20,
        ))
