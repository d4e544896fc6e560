"""The archive format: what restore checks before it changes anything, and pruning."""

import hashlib
import io
import json
import tarfile

import pytest
from django.db import connection

from chapterhouse.ops.archive import (
    DATABASE_MEMBER,
    FORMAT,
    VERSION,
    BackupError,
    archives_in,
    prune,
    verify_archive,
)
from chapterhouse.ops.backup import restore_backup

ENGINE = connection.vendor if connection.vendor in DATABASE_MEMBER else "sqlite"


def manifest_for(members: dict[str, bytes], **changes) -> dict:
    manifest = {
        "format": FORMAT, "version": VERSION, "created_at": "2026-01-01T03:00:00Z",
        "engine": ENGINE, "database": DATABASE_MEMBER[ENGINE],
        "migrations": [["members", "0001_initial"]],
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for name, data in members.items()},
    }
    return manifest | changes


def write_archive(path, members: dict[str, bytes], manifest: dict | None) -> None:
    with tarfile.open(path, "w") as tar:
        items = dict(members)
        if manifest is not None:
            items["manifest.json"] = json.dumps(manifest).encode()
        for name, data in items.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


MEMBERS = {DATABASE_MEMBER[ENGINE]: b"the database", "media/avatars/a.png": b"an avatar",
           "private/messages/m.png": b"a private image"}


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "chapterhouse-20260101T030000Z.tar"
    write_archive(path, MEMBERS, manifest_for(MEMBERS))
    return path


def test_a_sound_archive_verifies(archive):
    manifest = verify_archive(archive)
    assert manifest["version"] == VERSION == 2
    assert manifest["files"].keys() == MEMBERS.keys()


def test_a_version_1_archive_without_private_files_verifies(tmp_path):
    members = {name: data for name, data in MEMBERS.items() if not name.startswith("private/")}
    path = tmp_path / "chapterhouse-20250101T030000Z.tar"
    write_archive(path, members, manifest_for(members, version=1))
    assert verify_archive(path)["files"].keys() == members.keys()


@pytest.mark.parametrize("members, manifest_changes, problem", [
    ({**MEMBERS, "media/avatars/a.png": b"an avatar!"}, {}, "bytes, the manifest says"),
    ({**MEMBERS, "media/avatars/a.png": b"AN AVATAR"}, {},
     "media/avatars/a.png: its checksum does not match the manifest (damaged)."),
    ({DATABASE_MEMBER[ENGINE]: b"the database"}, {},
     "media/avatars/a.png: listed in the manifest but missing from the archive."),
    ({**MEMBERS, "media/extra.png": b"x"}, {},
     "media/extra.png: in the archive but not in the manifest."),
    ({**MEMBERS, "private/messages/m.png": b"a private imagf"}, {},
     "private/messages/m.png: its checksum does not match the manifest (damaged)."),
    ({**MEMBERS, "private/messages/m.png": b"a private"}, {}, "bytes, the manifest says"),
    ({k: v for k, v in MEMBERS.items() if not k.startswith("private/")}, {},
     "private/messages/m.png: listed in the manifest but missing from the archive."),
    ({**MEMBERS, "private/extra.png": b"x"}, {},
     "private/extra.png: in the archive but not in the manifest."),
    ({**MEMBERS, "private/../../outside.png": b"x"}, "unsafe",
     "private/../../outside.png: not a plain file with a safe name."),
    (MEMBERS, {"version": 3}, "Backup format version 3 is not known here"),
    ({**MEMBERS, "../outside.png": b"x"}, "unsafe",
     "../outside.png: not a plain file with a safe name."),
    (MEMBERS, {"version": 99}, "Backup format version 99 is not known here"),
    (MEMBERS, {"format": "something"}, "not a Chapterhouse backup's"),
    (MEMBERS, {"files": {"database.sqlite3": {"sha256": 1}}}, "The manifest is incomplete."),
])
def test_each_kind_of_damage_is_refused_by_name(tmp_path, members, manifest_changes, problem):
    path = tmp_path / "damaged.tar"
    if manifest_changes == "unsafe":
        manifest = manifest_for(members)
    else:
        manifest = manifest_for(MEMBERS, **manifest_changes)
    write_archive(path, members, manifest)
    with pytest.raises(BackupError) as error:
        verify_archive(path)
    assert problem in str(error.value)


def test_an_archive_without_a_manifest_or_not_an_archive_is_refused(tmp_path):
    no_manifest = tmp_path / "no-manifest.tar"
    write_archive(no_manifest, MEMBERS, None)
    with pytest.raises(BackupError, match="no manifest.json"):
        verify_archive(no_manifest)
    (tmp_path / "junk.tar").write_bytes(b"not a tar file at all" * 100)
    with pytest.raises(BackupError, match="cannot be read as a backup archive"):
        verify_archive(tmp_path / "junk.tar")
    with pytest.raises(BackupError, match="No such archive"):
        verify_archive(tmp_path / "missing.tar")


@pytest.mark.django_db
def test_restore_refuses_a_database_with_tables_before_changing_anything(archive, settings):
    with pytest.raises(BackupError, match=r"The database already has \d+ tables.*--force"):
        restore_backup(path=archive)
    assert not settings.MEDIA_ROOT.exists()
    assert not settings.PRIVATE_MEDIA_ROOT.exists()


@pytest.mark.django_db
def test_restore_refuses_another_engines_backup(tmp_path):
    other = "postgresql" if ENGINE == "sqlite" else "sqlite"
    members = {DATABASE_MEMBER[other]: b"the database"}
    path = tmp_path / "other.tar"
    write_archive(path, members, manifest_for(members, engine=other,
                                              database=DATABASE_MEMBER[other]))
    with pytest.raises(BackupError, match=f"This is a {other} backup"):
        restore_backup(path=path, force=True)


@pytest.mark.django_db
def test_restore_refuses_a_newer_versions_backup(tmp_path):
    path = tmp_path / "newer.tar"
    write_archive(path, MEMBERS, manifest_for(
        MEMBERS, migrations=[["members", "0001_initial"], ["members", "9999_from_the_future"]]))
    with pytest.raises(BackupError, match="newer version.*members.9999_from_the_future"):
        restore_backup(path=path, force=True)


def test_prune_keeps_the_newest_archives_and_touches_nothing_else(tmp_path):
    names = ["chapterhouse-20260101T030000Z.tar", "chapterhouse-20260102T030000Z.tar",
             "chapterhouse-20260102T030000Z-2.tar", "chapterhouse-20260103T030000Z.tar"]
    others = ["notes.txt", "chapterhouse-20260101T030000Z.tar.partial", "chapterhouse-old.tar"]
    for name in names + others:
        (tmp_path / name).write_bytes(b"x")
    deleted = prune(tmp_path, keep=2)
    assert [p.name for p in deleted] == names[:2]
    assert [p.name for p in archives_in(tmp_path)] == names[2:]
    assert all((tmp_path / name).exists() for name in others)
    assert prune(tmp_path, keep=0) == []
