from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "chapterhouse.decisions"
    label = "decisions"
    verbose_name = _("Decisions")

    def ready(self) -> None:
        # Registers the runner of scheduled steps (services never import tasks).
        from . import tasks  # noqa: F401

