"""Helpers for the tests of any app, at the bottom layer so that every app's tests may
use them without reaching up (the import contracts in pyproject.toml)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_together(count: int, work: Callable[[int], Any]
                 ) -> tuple[dict[int, Any], list[BaseException]]:
    """Run `work(0)` … `work(count - 1)` in threads released at the same moment (a
    barrier), each on its own database connection, closed after: what each returned,
    by index, and what any raised. The concurrency tests' one way to race."""
    barrier = threading.Barrier(count)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results, errors
