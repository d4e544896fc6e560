"""Leases on the tasks of the database queue: claim, renew, finish, give back, reclaim.

django-tasks-db marks a task RUNNING when a worker claims it and nothing ever resets
it: a worker killed mid-task (SIGKILL, out of memory, a lost machine) leaves its task
RUNNING for good (upstream issue "Unclean exits of the worker leave tasks in limbo").
Here every claim takes a lease (models.TaskLease) that the worker's heartbeat renews
while the task runs. Any worker returns the tasks whose lease expired to the queue, on
start and periodically (`reclaim_expired`), so a task whose worker died runs again
within about one and a half leases, without a person.

Execution is therefore at least once, as any queue that survives crashes: tasks must be
safe to run twice (house rule), and a run whose lease was taken back cannot write its
outcome over the new run's (`finish` is fenced by the lease).

Times are the workers' clocks (`timezone.now()`): the hosts that run workers must
agree on the time to well within a lease (NTP), as they do for everything else here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet
from django_tasks_db.utils import exclusive_transaction

from .models import TaskLease


class WorkerLost(Exception):  # noqa: N818 (it names what happened, as the record shows it)
    """Recorded as the failure of a task whose worker died TASK_MAX_CLAIMS times."""


@dataclass(frozen=True)
class Reclaimed:
    requeued: list[str]
    failed: list[str]


def lease_length() -> timedelta:
    """How long a claim holds without a heartbeat (TASK_LEASE_SECONDS)."""
    return timedelta(seconds=float(settings.TASK_LEASE_SECONDS))


def claim_next(
    *, tasks: DBTaskResultQuerySet, worker_id: str, lease: timedelta
) -> DBTaskResult[Any, Any] | None:
    """Claim the first ready task of `tasks` for `worker_id` and take its lease, in one
    transaction (exclusive on SQLite); None when there is none. Raises OperationalError
    when the database is locked, as django-tasks-db's own claim does."""
    with exclusive_transaction(tasks.db):
        task_result: DBTaskResult[Any, Any] | None = tasks.get_locked()
        if task_result is None:
            return None
        task_result.claim(worker_id)
        TaskLease.objects.using(tasks.db).create(
            task=task_result, worker_id=worker_id, expires_at=timezone.now() + lease
        )
    return task_result


def _held(task_id: str | UUID, worker_id: str) -> QuerySet[TaskLease]:
    return TaskLease.objects.filter(pk=UUID(str(task_id)), worker_id=worker_id)


def renew(*, task_id: str | UUID, worker_id: str, lease: timedelta) -> bool:
    """Push the lease of `worker_id` on the task forward by `lease`; False when the
    worker no longer holds it (it was taken back: another run may be under way)."""
    with transaction.atomic():
        held = _held(task_id, worker_id)
        return held.update(expires_at=timezone.now() + lease) == 1


def finish(*, task_id: str | UUID, worker_id: str, write: Callable[[], None]) -> bool:
    """Write a task's outcome (`write`: set_successful or set_failed) if `worker_id`
    still holds its lease, and end the lease, in one transaction. Returns False, writing
    nothing, when the lease was taken back: the task is queued again or run by another
    worker, whose outcome is the one kept.

    The lease row is deleted first: reclaim_expired locks the rows it takes back, so
    exactly one of the two wins (on SQLite, writes are serialised anyway).
    """
    with transaction.atomic():
        held, _by_model = _held(task_id, worker_id).delete()
        if not held:
            return False
        write()
    return True


def release(*, task_id: str | UUID, worker_id: str) -> bool:
    """Give a task back to the queue unfinished (its worker is stopping mid-task): it
    runs again at once, by any worker. False when the worker no longer held it."""
    with transaction.atomic():
        held, _by_model = _held(task_id, worker_id).delete()
        if not held:
            return False
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
    return True


def reclaim_expired(
    *, lease: timedelta, max_claims: int, now: datetime | None = None
) -> Reclaimed:
    """Return to the queue every RUNNING task whose worker stopped renewing its lease.

    Taken back: tasks whose lease expired, and RUNNING tasks with no lease at all that
    started more than one `lease` ago (claimed by a worker without leases: the stock
    db_worker, or one from before leases existed). A task already claimed `max_claims`
    times (its workers kept dying: it may be what kills them) is marked FAILED with
    WorkerLost instead of queued again. Rows another transaction holds are skipped (a
    worker writing its outcome right now); the next pass sees them.

    One cheap read when there is nothing to take back (as on almost every pass).
    """
    now = now or timezone.now()
    expired = TaskLease.objects.filter(expires_at__lte=now)
    orphans = Q(lease__isnull=True, started_at__lte=now - lease)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    if not expired.exists() and not running.filter(orphans).exists():
        return Reclaimed(requeued=[], failed=[])
    with transaction.atomic():
        leased = list(expired.select_for_update(skip_locked=True).values_list("task_id",
                                                                              flat=True))
        taken = list(
            running.filter(Q(pk__in=leased) | orphans)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "worker_ids")
        )
        requeued = [str(pk) for pk, workers in taken if len(workers or []) < max_claims]
        failed = [str(pk) for pk, workers in taken if len(workers or []) >= max_claims]
        DBTaskResult.objects.filter(pk__in=requeued).update(status=TaskResultStatus.READY)
        DBTaskResult.objects.filter(pk__in=failed).update(
            status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"{WorkerLost.__qualname__}: its worker stopped (killed or lost) "
                      f"on each of its {max_claims} runs; not run again.\n",
        )
        TaskLease.objects.filter(task_id__in=leased).delete()
    return Reclaimed(requeued=requeued, failed=failed)
