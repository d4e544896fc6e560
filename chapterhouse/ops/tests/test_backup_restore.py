"""`manage.py backup`, `restore` and `check_data` as an operator runs them: real
processes against a real database (a SQLite file, or PostgreSQL when the suite
runs on it)."""

import shutil
import stat

import pytest

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import Chapter
from chapterhouse.decisions.models import Ballot, Decision
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLES = [model._meta.db_table
          for model in (Member, Chapter, Thread, Post, Decision, Ballot, AuditEntry)]
THREAD = Thread._meta.db_table


def test_a_backup_restores_into_a_fresh_database_with_its_uploads(seeded_site, fresh_site):
    site = seeded_site
    backup = site.manage("backup")
    assert backup.returncode == 0, backup.stderr
    [archive] = site.archives()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds everything
    assert [p.name for p in site.backup_dir.iterdir()] == [archive.name]  # no leftovers

    restored = fresh_site.manage("restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "Next: manage.py migrate, then manage.py check_data" in restored.stdout
    check = fresh_site.manage("check_data")
    assert check.returncode == 0, check.stdout
    assert "Decision record chain: OK" in check.stdout
    assert "All checks passed." in check.stdout

    for table in TABLES:
        assert fresh_site.count(table) == site.count(table) > 0, table
    [(avatar,)] = site.rows(
        f"SELECT avatar FROM {Member._meta.db_table} WHERE avatar != ''")  # noqa: S608
    assert (fresh_site.media_root / avatar).read_bytes() == (site.media_root / avatar).read_bytes()


def test_restore_refuses_what_is_there_or_damaged_and_replaces_it_when_forced(
        seeded_site, fresh_site):
    site = seeded_site
    assert site.manage("backup").returncode == 0
    [archive] = site.archives()
    site.execute(f"UPDATE {THREAD} SET title = 'Changed after the backup'")  # noqa: S608

    refused = site.manage("restore", str(archive))
    assert refused.returncode == 1
    assert "already has" in refused.stderr and "--force" in refused.stderr
    assert site.rows(f"SELECT DISTINCT title FROM {THREAD}") == [  # noqa: S608
        ("Changed after the backup",)]

    damaged = archive.with_name("damaged.tar")
    data = bytearray(archive.read_bytes())
    data[len(data) // 3] ^= 0xFF  # one flipped bit, inside the database copy
    damaged.write_bytes(bytes(data))
    refused = fresh_site.manage("restore", str(damaged))
    assert refused.returncode == 1
    assert "database.sqlite3: its checksum does not match" in refused.stderr or \
        "database.pgdump: its checksum does not match" in refused.stderr
    assert not fresh_site.media_root.exists()
    assert fresh_site.sqlite_path is None or not fresh_site.sqlite_path.exists()

    shutil.copytree(site.media_root, fresh_site.media_root)
    refused = fresh_site.manage("restore", str(archive))
    assert refused.returncode == 1 and "already holds files" in refused.stderr

    forced = site.manage("restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    titles = site.rows(f"SELECT title FROM {THREAD}")  # noqa: S608
    assert ("Seeded",) in titles and ("Changed after the backup",) not in titles
