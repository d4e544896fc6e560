"""Simultaneous replies and locks (PostgreSQL only: SQLite serialises writes and
hides races)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chapterhouse.discussions import services
from chapterhouse.discussions.models import Thread

from .factories import make_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency is tested on PostgreSQL with real threads"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(count: int, work) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_simultaneous_replies_are_all_counted(member, neighbour):
    thread = make_thread(member)
    errors = run_together(
        30, lambda i: services.reply(thread=Thread.objects.get(pk=thread.pk),
                                     author=neighbour, body=f"Reply {i}"),
    )
    assert errors == []
    thread.refresh_from_db()
    assert thread.post_count == 31 == thread.posts.count()


def test_no_reply_is_stored_after_the_lock_commits(member, neighbour, facilitator):
    thread = make_thread(member)

    def work(index: int) -> None:
        if index == 0:
            services.lock_thread(thread=Thread.objects.get(pk=thread.pk), actor=facilitator)
        else:
            try:
                services.reply(thread=Thread.objects.get(pk=thread.pk), author=neighbour,
                               body=f"Reply {index}")
            except ValidationError:
                pass  # refused: the lock came first

    assert run_together(20, work) == []
    thread.refresh_from_db()
    assert thread.is_locked
    # Every stored reply was counted, and none was stored while the thread was locked
    # (each reply read the lock under a row lock, so the count matches the rows).
    assert thread.post_count == thread.posts.count()
