"""`manage.py db_worker`: django-tasks-db's worker with leases (chapterhouse.worker).

The same command and options as django-tasks-db's, which it replaces (this app comes
before django_tasks_db in INSTALLED_APPS, and Django takes the first app's command of
a name): so every way of starting a worker (bin/serve, a service unit, the tests'
`db_worker --batch`) takes leases and takes back the tasks of dead workers. The lease
is TASK_LEASE_SECONDS (or --lease-seconds); a task claimed TASK_MAX_CLAIMS times by
workers that all died is marked failed.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from chapterhouse.worker.runner import LeasedWorker


def positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


class Command(db_worker.Command):
    help = "Run the database queue's worker, with leases: a task whose worker died runs again"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--lease-seconds", type=positive, default=None,
            help="How long a claim holds without a heartbeat (default: TASK_LEASE_SECONDS)",
        )

    def handle(self, *, verbosity: int, queue_name: str, exclude_queues: str,  # type: ignore[override]
               reload: bool, batch: bool, lease_seconds: float | None,
               **options: Any) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        lease = timedelta(seconds=lease_seconds or float(settings.TASK_LEASE_SECONDS))
        worker = LeasedWorker(
            lease=lease, max_claims=int(settings.TASK_MAX_CLAIMS),
            queue_names=queue_names, excluded_queue_names=excluded, batch=batch,
            interval=options["interval"], backend_name=options["backend_name"],
            startup_delay=options["startup_delay"], max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
