"""`python -m chapterhouse.worker.tests.drill_worker [db_worker options]`: the real
worker (manage.py db_worker) for the fault drill (test_drill.py), with two changes that
make a kill land anywhere in a fan-out of a few thousand members: batches of
DRILL_BATCH members, each held DRILL_BATCH_PAUSE seconds in its transaction (as long as
production's batches of 10,000 take). With DRILL_GO, it says it is ready (a file
DRILL_GO.<pid>) and waits for DRILL_GO to exist, so that two workers start together."""

import os
import sys
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from chapterhouse.notifications import tasks  # noqa: E402

tasks.FANOUT_BATCH_SIZE = int(os.environ["DRILL_BATCH"])
_store = tasks._store


def _slow_store(*args: Any, **kwargs: Any) -> list[int]:
    stored = _store(*args, **kwargs)
    pause = float(os.environ["DRILL_BATCH_PAUSE"])
    time.sleep(pause)
    # And a breath after the commit: on SQLite a writer that takes the lock again at
    # once can starve another worker's claim for a whole run (seen in CI under load:
    # worker-b claimed its run only as worker-a's ended).
    transaction.on_commit(lambda: time.sleep(pause / 2))
    return stored


tasks._store = _slow_store
go = os.environ.get("DRILL_GO")
if go:
    open(f"{go}.{os.getpid()}", "w").close()  # noqa: SIM115 (this one is ready)
while go and not os.path.exists(go):
    time.sleep(0.01)
call_command("db_worker", *sys.argv[1:])
