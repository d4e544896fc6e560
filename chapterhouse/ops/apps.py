from django.apps import AppConfig


class OpsConfig(AppConfig):
    """No models and no pages, so no name to translate: management commands only."""

    name = "chapterhouse.ops"
    label = "ops"
