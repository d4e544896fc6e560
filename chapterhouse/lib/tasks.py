"""Queueing background tasks from services.

Tasks are interfaces, like views: they take ids, load objects and call a service.
So a service must not import its app's `tasks` module (that would make services and
tasks import each other). A service names the task it queues instead, by its dotted
path, as Zulip's actions publish to a queue by name; the task module, above the
services, imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.module_loading import import_string
from django_tasks.base import Task


def task_named(path: str) -> Task[..., Any]:
    """The task at `path` ("chapterhouse.<app>.tasks.<name>"). Raises ImportError if
    there is none, TypeError if the name is not a task."""
    found = import_string(path)
    if not isinstance(found, Task):
        raise TypeError(f"{path} is not a task")
    return found


def enqueue_in_batches(path: str, ids: Sequence[int], *, size: int) -> int:
    """Enqueue the task at `path` once per `size` ids, in order, each run given its list
    of ids; returns how many runs were enqueued.

    One job per id floods the queue when an action touches a whole chapter (one email
    per notice); one job for all of them makes a long run that fails as a whole.
    Enqueued in the caller's transaction, like any enqueue.
    """
    task = task_named(path)
    runs = 0
    for start in range(0, len(ids), size):
        task.enqueue(list(ids[start : start + size]))
        runs += 1
    return runs
