"""The database queue's worker, with leases (services): django-tasks-db's Worker, whose
claim also takes a lease, whose running task is kept by a heartbeat, and which takes
back the tasks of dead workers on start and every half lease."""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connections
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from . import services

logger = logging.getLogger("chapterhouse.worker")


class Heartbeat(threading.Thread):
    """Renews one lease every `every` seconds until stopped, on its own connection.

    A failed renewal (the database busy or away) is logged and tried again at the next
    beat: the lease is long enough to miss a few."""

    def __init__(self, *, task_id: str, worker_id: str, lease: timedelta, every: float):
        super().__init__(name=f"heartbeat-{task_id}", daemon=True)
        self.task_id, self.worker_id, self.lease, self.every = task_id, worker_id, lease, every
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                try:
                    if not services.renew(task_id=self.task_id, worker_id=self.worker_id,
                                          lease=self.lease):
                        logger.warning("Task %s: lease lost; another worker may run it",
                                       self.task_id)
                        return
                except Exception:
                    logger.exception("Task %s: could not renew the lease", self.task_id)
        finally:
            connections.close_all()  # this thread's own connections only

    def stop(self) -> None:
        self._stopped.set()
        self.join()


class LeasedWorker(Worker):
    """django-tasks-db's Worker with leases. Its loop is django-tasks-db's (the same
    options, signals and shutdown), but for the claim, the reclaim, and the outcome."""

    def __init__(self, *, lease: timedelta, max_claims: int, **options: object):
        if not options.get("worker_id"):
            options["worker_id"] = get_random_string(32)
        super().__init__(**options)  # type: ignore[arg-type]
        self.lease = lease
        self.max_claims = max_claims
        self.beat_every = lease.total_seconds() / 3
        self.reclaim_every = lease.total_seconds() / 2
        self._next_reclaim = 0.0

    def reclaim(self) -> services.Reclaimed | None:
        """Take back the tasks of dead workers, if a half lease passed since the last
        time (or never): a cheap read on almost every pass."""
        if time.monotonic() < self._next_reclaim:
            return None
        self._next_reclaim = time.monotonic() + self.reclaim_every
        try:
            taken = services.reclaim_expired(lease=self.lease, max_claims=self.max_claims)
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            return None  # busy now; the next pass tries again
        if taken.requeued or taken.failed:
            logger.warning("Took back the tasks of dead workers: queued again %s, failed %s",
                           taken.requeued, taken.failed)
        return taken

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s lease=%ss", self.worker_id,
                    ",".join(self.queue_names), self.lease.total_seconds())
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (workers started together spread out)
        while self.running:
            close_old_connections()
            self.reclaim()
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
            try:
                task_result = services.claim_next(tasks=tasks, worker_id=self.worker_id,
                                                  lease=self.lease)
                retrieved = True
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                task_result, retrieved = None, False
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran %d tasks on worker_id=%s - exiting.", self._run_tasks,
                            self.worker_id)
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        """Run one claimed task under its lease and write its outcome if the lease is
        still ours. Stopped mid-task (a second Ctrl-C), the worker gives it back."""
        task_id = str(db_task_result.pk)
        heartbeat = Heartbeat(task_id=task_id, worker_id=self.worker_id, lease=self.lease,
                              every=self.beat_every)
        heartbeat.start()
        self.running_task = True
        try:
            error: Exception | None = None
            value: object = None
            try:
                value = self._call(db_task_result)
            except (KeyboardInterrupt, SystemExit):
                heartbeat.stop()
                services.release(task_id=task_id, worker_id=self.worker_id)
                raise
            except Exception as exc:
                error = exc
            heartbeat.stop()
            self._record(db_task_result, value, error)
        finally:
            heartbeat.stop()
            self.running_task = False
            self._run_tasks += 1

    def _call(self, db_task_result: DBTaskResult[Any, Any]) -> object:
        task = db_task_result.task
        task_result = db_task_result.task_result
        task_started.send(sender=type(task.get_backend()), task_result=task_result)
        args, kwargs = task_result.args, task_result.kwargs
        if task.takes_context:
            return task.call(TaskContext(task_result=task_result), *args, **kwargs)
        return task.call(*args, **kwargs)

    def _record(self, db_task_result: DBTaskResult[Any, Any], value: object,
                error: Exception | None) -> None:
        """Write the outcome through services.finish (fenced by the lease), then signal
        the end as django-tasks-db does."""
        task_id = str(db_task_result.pk)
        written = False
        if error is None:
            try:
                written = services.finish(task_id=task_id, worker_id=self.worker_id,
                                          write=lambda: db_task_result.set_successful(value))
            except Exception as exc:  # e.g. a return value that is not JSON
                error = exc
        if error is not None:
            failure = error
            written = services.finish(task_id=task_id, worker_id=self.worker_id,
                                      write=lambda: db_task_result.set_failed(failure))
        if not written:
            logger.warning("Task %s finished after its lease was taken back: outcome not "
                           "recorded (the run that holds it records its own)", task_id)
            return
        try:
            task_finished.send(sender=type(db_task_result.task.get_backend()),
                               task_result=db_task_result.task_result)
        except Exception:
            logger.exception("Task id=%s: could not signal its end", task_id)
