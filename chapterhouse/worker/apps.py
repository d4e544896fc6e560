from django.apps import AppConfig


class WorkerConfig(AppConfig):
    # No models in the admin: the queue's own (django-tasks-db's task results) show there.
    name = "chapterhouse.worker"
    label = "worker"
