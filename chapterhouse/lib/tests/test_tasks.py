"""lib.tasks: services queue tasks by name, in batches."""

import pytest
from django_tasks import task

from chapterhouse.lib.tasks import enqueue_in_batches, task_named

received: list[list[int]] = []


@task()
def remember(ids: list[int]) -> None:
    received.append(ids)


NOT_A_TASK = "chapterhouse.lib.tests.test_tasks.received"


def test_it_enqueues_one_run_per_batch_of_ids_in_order():
    received.clear()
    runs = enqueue_in_batches("chapterhouse.lib.tests.test_tasks.remember", [1, 2, 3, 4, 5],
                              size=2)
    assert runs == 3
    assert received == [[1, 2], [3, 4], [5]]


def test_no_ids_enqueue_nothing():
    received.clear()
    assert enqueue_in_batches("chapterhouse.lib.tests.test_tasks.remember", [], size=2) == 0
    assert received == []


def test_it_refuses_a_name_that_is_not_a_task():
    assert task_named("chapterhouse.lib.tests.test_tasks.remember") is remember
    with pytest.raises(TypeError):
        task_named(NOT_A_TASK)
    with pytest.raises(ImportError):
        task_named("chapterhouse.lib.tests.test_tasks.missing")
