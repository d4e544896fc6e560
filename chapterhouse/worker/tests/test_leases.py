"""Leases on the database queue's tasks (issue #14, item 1): a task whose worker died
runs again by itself; a run whose lease was taken back writes nothing."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from chapterhouse.worker import services
from chapterhouse.worker.models import TaskLease
from chapterhouse.worker.runner import Heartbeat, LeasedWorker

pytestmark = pytest.mark.django_db
# The worker closes its connection as it goes (close_old_connections): on PostgreSQL a
# test that runs it in process must not be inside a transaction of its own.
in_process = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LEASE = timedelta(seconds=60)
runs: list[int] = []


@task()
def note(number: int) -> int:
    runs.append(number)
    return number


@task()
def reclaim_from_inside(pause: float, lease: float) -> int:
    """Sleeps past its lease, then asks for the tasks of dead workers: with the heartbeat
    renewing its lease, its own task is not among them."""
    time.sleep(pause)
    taken = services.reclaim_expired(lease=timedelta(seconds=lease),
                                     max_claims=settings.TASK_MAX_CLAIMS)
    return len(taken.requeued) + len(taken.failed)


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "email"]}}
    runs.clear()


def enqueue(number: int = 1) -> DBTaskResult:
    result = note.enqueue(number)
    return DBTaskResult.objects.get(pk=result.id)


def claim(worker_id: str = "worker-a", lease: timedelta = LEASE) -> DBTaskResult | None:
    return services.claim_next(tasks=DBTaskResult.objects.ready(), worker_id=worker_id,
                               lease=lease)


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_the_db_worker_command_is_the_one_with_leases():
    assert get_commands()["db_worker"] == "chapterhouse.worker"


def test_a_claim_marks_the_task_running_and_takes_its_lease():
    row = enqueue()
    claimed = claim()
    assert claimed is not None and claimed.pk == row.pk
    assert status(row) == TaskResultStatus.RUNNING
    lease = TaskLease.objects.get(task=row)
    assert lease.worker_id == "worker-a"
    assert lease.expires_at > timezone.now() + LEASE - timedelta(seconds=5)
    assert claim("worker-b") is None  # nothing else is ready


def test_finishing_writes_the_outcome_and_ends_the_lease():
    row = claim_of(enqueue())
    assert services.finish(task_id=str(row.pk), worker_id="worker-a",
                           write=lambda: row.set_successful(7))
    assert status(row) == TaskResultStatus.SUCCESSFUL
    assert not TaskLease.objects.exists()


def claim_of(row: DBTaskResult, worker_id: str = "worker-a") -> DBTaskResult:
    claimed = claim(worker_id)
    assert claimed is not None and claimed.pk == row.pk
    return claimed


def test_a_task_whose_lease_expired_is_queued_again_and_runs_again():
    row = claim_of(enqueue())
    later = timezone.now() + LEASE + timedelta(seconds=1)
    taken = services.reclaim_expired(lease=LEASE, max_claims=5, now=later)
    assert taken.requeued == [str(row.pk)] and taken.failed == []
    assert status(row) == TaskResultStatus.READY
    assert not TaskLease.objects.exists()
    again = claim_of(row, "worker-b")
    assert again.worker_ids == ["worker-a", "worker-b"]


def test_a_live_lease_is_left_alone():
    row = claim_of(enqueue())
    taken = services.reclaim_expired(lease=LEASE, max_claims=5,
                                     now=timezone.now() + LEASE - timedelta(seconds=5))
    assert taken.requeued == taken.failed == []
    assert status(row) == TaskResultStatus.RUNNING


def test_a_renewed_lease_outlives_its_first_expiry():
    row = claim_of(enqueue())
    first = TaskLease.objects.get(task=row).expires_at
    assert services.renew(task_id=str(row.pk), worker_id="worker-a", lease=LEASE * 2)
    assert TaskLease.objects.get(task=row).expires_at > first + LEASE / 2
    assert services.reclaim_expired(lease=LEASE, max_claims=5,
                                    now=first + timedelta(seconds=1)).requeued == []


def test_a_running_task_without_a_lease_is_taken_back_once_a_lease_has_passed():
    # Claimed by a worker without leases (the stock db_worker, or before this upgrade).
    row = enqueue()
    row.claim("old-worker")
    assert services.reclaim_expired(lease=LEASE, max_claims=5).requeued == []
    taken = services.reclaim_expired(lease=LEASE, max_claims=5,
                                     now=timezone.now() + LEASE + timedelta(seconds=1))
    assert taken.requeued == [str(row.pk)]
    assert status(row) == TaskResultStatus.READY


def test_a_task_whose_workers_keep_dying_is_failed_after_the_limit():
    row = enqueue()
    later = timezone.now()
    for n in range(3):
        claim_of(row, f"worker-{n}")
        later += LEASE + timedelta(seconds=1)
        taken = services.reclaim_expired(lease=LEASE, max_claims=3, now=later)
    assert taken.failed == [str(row.pk)] and taken.requeued == []
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "chapterhouse.worker.services.WorkerLost"
    assert "3 runs" in row.traceback


def test_a_run_whose_lease_was_taken_back_writes_no_outcome():
    row = claim_of(enqueue())
    services.reclaim_expired(lease=LEASE, max_claims=5,
                             now=timezone.now() + LEASE + timedelta(seconds=1))
    again = claim_of(row, "worker-b")
    # The first worker was only slow: it ends now, and must not write over worker-b's run.
    assert not services.finish(task_id=str(row.pk), worker_id="worker-a",
                               write=lambda: row.set_successful(1))
    assert not services.renew(task_id=str(row.pk), worker_id="worker-a", lease=LEASE)
    assert status(row) == TaskResultStatus.RUNNING
    assert services.finish(task_id=str(row.pk), worker_id="worker-b",
                           write=lambda: again.set_successful(2))
    row.refresh_from_db()
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, 2)


def test_a_task_given_back_by_a_stopping_worker_is_ready_at_once():
    row = claim_of(enqueue())
    assert services.release(task_id=str(row.pk), worker_id="worker-a")
    assert status(row) == TaskResultStatus.READY
    assert not services.release(task_id=str(row.pk), worker_id="worker-a")


@in_process
def test_the_worker_takes_back_dead_workers_tasks_on_start_and_runs_them():
    row = claim_of(enqueue(5))
    TaskLease.objects.filter(task=row).update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert runs == [5]
    assert len(row.worker_ids) == 2
    assert not TaskLease.objects.exists()


@in_process
def test_the_worker_records_a_failure_as_its_own_and_ends_the_lease():
    bad = enqueue()
    DBTaskResult.objects.filter(pk=bad.pk).update(task_path="chapterhouse.worker.tests.nope")
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    bad.refresh_from_db()
    assert bad.status == TaskResultStatus.FAILED
    assert not TaskLease.objects.exists()


@in_process
def test_a_worker_stopped_mid_task_gives_it_back(monkeypatch):
    row = enqueue()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(LeasedWorker, "_call", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    assert status(row) == TaskResultStatus.READY
    assert not TaskLease.objects.exists()


@in_process
@pytest.mark.parametrize("beating", [True, False])
def test_the_heartbeat_keeps_a_long_task_from_being_taken_back(beating, monkeypatch, settings):
    # A lease of 0.6 s; the task runs 1.2 s, then takes back expired leases: its own was
    # renewed every 0.2 s, so none. Without the heartbeat it takes back its own, twice,
    # and (TASK_MAX_CLAIMS = 2) the second time it is failed as lost.
    settings.TASK_MAX_CLAIMS = 2
    if not beating:
        monkeypatch.setattr(Heartbeat, "run", lambda self: None)
    result = reclaim_from_inside.enqueue(1.2, 0.6)
    call_command("db_worker", "--batch", "--no-startup-delay", "--lease-seconds", "0.6",
                 stdout=io.StringIO())
    row = DBTaskResult.objects.get(pk=result.id)
    if beating:
        assert (row.status, row.return_value, len(row.worker_ids)) == (
            TaskResultStatus.SUCCESSFUL, 0, 1)
    else:
        assert (row.status, row.exception_class_path, len(row.worker_ids)) == (
            TaskResultStatus.FAILED, "chapterhouse.worker.services.WorkerLost", 2)
