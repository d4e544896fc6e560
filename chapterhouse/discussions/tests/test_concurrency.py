"""Simultaneous replies and locks (PostgreSQL only: SQLite serialises writes and
hides races)."""


import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from chapterhouse.discussions import services
from chapterhouse.discussions.models import Thread
from chapterhouse.lib.testing import run_together

from .factories import make_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency is tested on PostgreSQL with real threads"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_simultaneous_replies_are_all_counted(member, neighbour):
    thread = make_thread(member)
    _results, errors = run_together(
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

    assert run_together(20, work)[1] == []
    thread.refresh_from_db()
    assert thread.is_locked
    # Every stored reply was counted, and none was stored while the thread was locked
    # (each reply read the lock under a row lock, so the count matches the rows).
    assert thread.post_count == thread.posts.count()
