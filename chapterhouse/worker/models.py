"""A worker's lease on the task it runs: how a task whose worker died is found again."""

from django.db import models


class TaskLease(models.Model):
    """The hold of one worker on one RUNNING task of the database queue, until `expires_at`.

    Written in the transaction that claims the task, pushed forward by the worker's
    heartbeat while the task runs, deleted in the transaction that writes the task's
    outcome. A lease that expires belongs to a worker that stopped beating (killed,
    frozen, its machine gone): the task goes back to the queue (services.reclaim_expired).
    """

    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult", on_delete=models.CASCADE, primary_key=True,
        related_name="lease",
    )
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.task_id} held by {self.worker_id} until {self.expires_at}"
