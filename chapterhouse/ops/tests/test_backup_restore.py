"""`manage.py backup`, `restore` and `check_data` as an operator runs them: real
processes against a real database (a SQLite file, or PostgreSQL when the suite
runs on it)."""

import hashlib
import io
import json
import shutil
import stat
import tarfile
from pathlib import Path

import pytest

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import Chapter
from chapterhouse.conversations.models import Attachment, Message
from chapterhouse.decisions.models import Ballot, Decision
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLES = [model._meta.db_table for model in (
    Member, Chapter, Thread, Post, Decision, Ballot, AuditEntry, Message, Attachment)]
THREAD = Thread._meta.db_table


def private_image(site) -> str:
    """The name of the seeded message's image under PRIVATE_MEDIA_ROOT."""
    [(name,)] = site.rows(f"SELECT file FROM {Attachment._meta.db_table}")  # noqa: S608
    return name


def tables_in(site) -> int:
    if site.sqlite_path is not None:
        if not site.sqlite_path.exists():
            return 0
        return int(site.rows("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")[0][0])
    return int(site.rows("SELECT COUNT(*) FROM information_schema.tables "
                         "WHERE table_schema = 'public'")[0][0])


def with_a_flipped_bit(archive: Path, member: str) -> Path:
    """A copy of `archive` with one bit flipped inside `member`'s data."""
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
        offset = info.offset_data + info.size // 2
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    damaged = archive.with_name("damaged.tar")
    damaged.write_bytes(bytes(data))
    return damaged


def member_bytes(tar: tarfile.TarFile, name: str) -> bytes:
    stream = tar.extractfile(name)
    assert stream is not None, name
    return stream.read()


def as_version_1(archive: Path) -> Path:
    """`archive` as the backup of a Chapterhouse before private files were archived
    made it: format version 1, with no private/ members."""
    old = archive.with_name("chapterhouse-20260101T030000Z.tar")
    with tarfile.open(archive) as tar, tarfile.open(old, "w") as out:
        manifest = json.loads(member_bytes(tar, "manifest.json"))
        manifest["version"] = 1
        manifest["files"] = {name: entry for name, entry in manifest["files"].items()
                             if not name.startswith("private/")}
        for info in tar:
            if info.name in manifest["files"]:
                out.addfile(info, tar.extractfile(info))
        content = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(content)
        out.addfile(info, io.BytesIO(content))
    return old


def test_a_backup_restores_into_a_fresh_database_with_its_uploads_and_private_files(
        seeded_site, fresh_site):
    site = seeded_site
    image = private_image(site)
    assert (site.private_root / image).is_file()
    assert not (site.media_root / image).exists()  # never among the public uploads
    backup = site.manage("backup")
    assert backup.returncode == 0, backup.stderr
    assert "1 uploaded files, 1 private files" in backup.stdout
    [archive] = site.archives()
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds everything
    assert [p.name for p in site.backup_dir.iterdir()] == [archive.name]  # no leftovers

    restored = fresh_site.manage("restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "1 uploaded files and 1 private files" in restored.stdout
    assert "Next: manage.py migrate, then manage.py check_data" in restored.stdout
    check = fresh_site.manage("check_data")
    assert check.returncode == 0, check.stdout
    assert "Decision record chain: OK" in check.stdout
    assert "Uploaded files: OK" in check.stdout
    assert "All checks passed." in check.stdout

    for table in TABLES:
        assert fresh_site.count(table) == site.count(table) > 0, table
    [(avatar,)] = site.rows(
        f"SELECT avatar FROM {Member._meta.db_table} WHERE avatar != ''")  # noqa: S608
    assert (fresh_site.media_root / avatar).read_bytes() == (site.media_root / avatar).read_bytes()
    assert private_image(fresh_site) == image
    restored_image = (fresh_site.private_root / image).read_bytes()
    assert restored_image == (site.private_root / image).read_bytes()
    assert restored_image.startswith(b"\x89PNG")
    assert not (fresh_site.media_root / image).exists()  # back in private, not public


def test_the_archive_lists_private_files_with_their_checksums(seeded_site):
    site = seeded_site
    assert site.manage("backup").returncode == 0
    [archive] = site.archives()
    name = "private/" + private_image(site)
    with tarfile.open(archive) as tar:
        manifest = json.loads(member_bytes(tar, "manifest.json"))
        data = member_bytes(tar, name)
    assert manifest["version"] == 2
    assert data == (site.private_root / private_image(site)).read_bytes()
    assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(),
                                       "size": len(data)}


def test_a_flipped_bit_in_a_private_file_is_refused_and_nothing_restored(
        seeded_site, fresh_site):
    site = seeded_site
    assert site.manage("backup").returncode == 0
    [archive] = site.archives()
    name = "private/" + private_image(site)
    damaged = with_a_flipped_bit(archive, name)

    verified = fresh_site.manage("restore", "--verify-only", str(damaged))
    assert verified.returncode == 1
    assert f"{name}: its checksum does not match the manifest (damaged)." in verified.stderr
    refused = fresh_site.manage("restore", str(damaged))
    assert refused.returncode == 1
    assert f"{name}: its checksum does not match the manifest (damaged)." in refused.stderr
    assert not fresh_site.private_root.exists()
    assert not fresh_site.media_root.exists()
    assert fresh_site.sqlite_path is None or not fresh_site.sqlite_path.exists()


def test_an_archive_from_before_private_files_still_restores(seeded_site, fresh_site):
    site = seeded_site
    assert site.manage("backup").returncode == 0
    [archive] = site.archives()
    old = as_version_1(archive)
    assert fresh_site.manage("restore", "--verify-only", str(old)).returncode == 0

    restored = fresh_site.manage("restore", str(old))
    assert restored.returncode == 0, restored.stderr
    assert "1 uploaded files and 0 private files" in restored.stdout
    for table in TABLES:
        assert fresh_site.count(table) == site.count(table), table
    assert not fresh_site.private_root.exists()
    # What such an archive lacks, check_data names (here the seeded image).
    check = fresh_site.manage("check_data")
    assert check.returncode == 1
    assert "Uploaded files: 1 problem(s)" in check.stdout
    assert "conversations.Attachment" in check.stdout
    assert f"file {private_image(site)} is missing." in check.stdout


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
    assert "empty MEDIA_ROOT" in refused.stderr
    shutil.rmtree(fresh_site.media_root)

    image = private_image(site)
    (fresh_site.private_root / image).parent.mkdir(parents=True)
    (fresh_site.private_root / image).write_bytes(b"another site's image")
    refused = fresh_site.manage("restore", str(archive))
    assert refused.returncode == 1
    assert f"{fresh_site.private_root} already holds files" in refused.stderr
    assert "empty PRIVATE_MEDIA_ROOT, or add --force" in refused.stderr
    assert (fresh_site.private_root / image).read_bytes() == b"another site's image"
    assert not fresh_site.media_root.exists()
    assert tables_in(fresh_site) == 0

    forced = site.manage("restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    titles = site.rows(f"SELECT title FROM {THREAD}")  # noqa: S608
    assert ("Seeded",) in titles and ("Changed after the backup",) not in titles

    (site.private_root / image).write_bytes(b"overwritten")  # restored over, when forced
    forced = site.manage("restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert (site.private_root / image).read_bytes().startswith(b"\x89PNG")
