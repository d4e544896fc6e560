from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: installed for its management command (seed_demo)."""

    name = "chapterhouse.demo"
    label = "demo"
