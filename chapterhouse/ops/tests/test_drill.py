"""Drill (issue #14): a backup taken while a real process keeps posting replies
restores into a fresh database, passes check_data, and holds every reply that was
acknowledged before the backup started. On a SQLite file, and on PostgreSQL when
the suite runs on it."""

import os
import signal
import threading
import time

import pytest

from chapterhouse.discussions.models import Post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Replies acknowledged before the backup starts (and the most seconds to wait for them).
ACKNOWLEDGED_FIRST = 60
STARTUP_SECONDS = 90


class Acknowledgements:
    """The ids a writer process printed, each once its reply had committed."""

    def __init__(self, process) -> None:
        self.ids: list[int] = []
        self.thread_id: int | None = None
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            words = line.split()
            with self.lock:
                if words[:1] == ["ready"]:
                    self.thread_id = int(words[1])
                elif words and words[0].isdigit():
                    self.ids.append(int(words[0]))

    def so_far(self) -> set[int]:
        with self.lock:
            return set(self.ids)

    def wait_for(self, count: int, process) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(self.so_far()) < count:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the writer did not get going"
            time.sleep(0.05)


def test_a_backup_under_concurrent_writes_restores_with_every_acknowledged_reply(
        site, fresh_site, capsys):
    writer = site.start("-m", "chapterhouse.ops.tests.site_process", "write")
    acks = Acknowledgements(writer)
    try:
        acks.wait_for(ACKNOWLEDGED_FIRST, writer)
        before = acks.so_far()  # acknowledged before the backup process even starts
        started = time.monotonic()
        backup = site.manage("backup")
        seconds = time.monotonic() - started
        during = len(acks.so_far()) - len(before)
        assert writer.poll() is None, "the writer must still be writing"
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        acks.reader.join(timeout=5)
    assert backup.returncode == 0, backup.stderr
    assert during > 0, "no reply was written while the backup ran"
    [archive] = site.archives()

    restored = fresh_site.manage("restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    check = fresh_site.manage("check_data")
    assert check.returncode == 0, check.stdout
    assert "Thread post counts: OK" in check.stdout

    in_backup = {pk for (pk,) in fresh_site.rows(
        f"SELECT id FROM {Post._meta.db_table} WHERE thread_id = {acks.thread_id}")}  # noqa: S608
    missing = before - in_backup
    assert missing == set()
    with capsys.disabled():
        print(f"\n[drill] {site.database_url.split(':')[0]}: {len(before)} replies acknowledged "
              f"before the backup, {during} more while it ran ({seconds:.1f} s); "
              f"{len(in_backup)} in the backup, {len(missing)} acknowledged ones missing; "
              "restored, check_data OK")
