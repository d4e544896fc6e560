"""Backups that restore: the database, the uploaded files and the private files in
one archive, with a manifest of checksums (manage.py backup and restore).

An archive is an uncompressed tar file, `chapterhouse-<UTC time>.tar`, readable only
by its owner:

    database.sqlite3    SQLite: a copy made with SQLite's online backup API
    database.pgdump     PostgreSQL: pg_dump's custom format
    media/<path>        every file under MEDIA_ROOT
    private/<path>      every file under PRIVATE_MEDIA_ROOT (private messages'
                        images; since format version 2, version 1 archives have
                        none and still restore)
    manifest.json       the format, when, the engine, the applied migrations, and
                        the sha256 and size of every other member

Copying the database file while the site writes gives copies that miss what is
still in the WAL or are torn. SQLite's backup API and pg_dump each read one
consistent snapshot while the site keeps writing, so an archive holds every write
committed before the backup started and nothing half done. Uploads and private
files are copied before and after the database, so a file named by the snapshot
is in the archive even when it was replaced meanwhile.

The checksums find a damaged or truncated copy, not a deliberate rewrite: keep
archives where only operators can write (and read: they hold everything).

Not a model write, so not a service: these functions move files and run pg_dump.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from .archive import (
    CHUNK,
    DATABASE_MEMBER,
    FORMAT,
    MANIFEST,
    MEDIA,
    PRIVATE,
    VERSION,
    BackupError,
    media_files,
    prune,
    verify_archive,
)

# Seconds SQLite waits for a lock before giving up (the site's own setting).
SQLITE_TIMEOUT = 20


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    database_size: int
    media_files: int
    private_files: int
    seconds: float


@dataclass(frozen=True)
class Restored:
    created_at: str
    engine: str
    media_files: int
    private_files: int


def engine_of(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


# --- backup ---


def take_backup(*, directory: Path, keep: int = 0, alias: str = "default") -> Backup:
    """Write a new archive into `directory` (made if missing, owner only) and, with
    `keep`, delete all but the newest `keep` archives there. The archive appears
    under its final name only once complete and synced; a failed backup leaves
    nothing behind."""
    started, started_at = time.monotonic(), datetime.now(UTC)
    engine = engine_of(alias)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = _new_archive_path(directory)
    partial = path.with_name(path.name + ".partial")
    roots = _roots()
    files: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as scratch, \
                _owner_only_file(partial) as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            _add_media(tar, roots, files)
            database = Path(scratch) / DATABASE_MEMBER[engine]
            migrations = _applied_migrations(alias)
            if engine == "sqlite":
                _sqlite_snapshot(str(connections[alias].settings_dict["NAME"]), database)
            else:
                _pg_dump(alias, database)
            _add_file(tar, DATABASE_MEMBER[engine], database, files)
            database_size = database.stat().st_size
            _add_media(tar, roots, files)  # files written while the database was read
            manifest = {
                "format": FORMAT, "version": VERSION,
                # Every write committed before this moment is in the archive.
                "created_at": started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "engine": engine, "database": DATABASE_MEMBER[engine],
                "migrations": migrations, "files": files,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
            tar.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
        _sync_directory(directory)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if keep:
        prune(directory, keep=keep)
    return Backup(path=path, size=path.stat().st_size, database_size=database_size,
                  media_files=sum(name.startswith(MEDIA) for name in files),
                  private_files=sum(name.startswith(PRIVATE) for name in files),
                  seconds=time.monotonic() - started)


def _new_archive_path(directory: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path, number = directory / f"chapterhouse-{stamp}.tar", 1
    while path.exists() or path.with_name(path.name + ".partial").exists():
        number += 1
        path = directory / f"chapterhouse-{stamp}-{number}.tar"
    return path


class _owner_only_file:  # noqa: N801 - used as a context manager, like open()
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> IO[bytes]:
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file = os.fdopen(descriptor, "wb")
        return self.file

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _applied_migrations(alias: str) -> list[list[str]]:
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    return sorted([app, name] for app, name in applied)


def _sqlite_snapshot(source: str, target: Path) -> None:
    """Copy the live database with SQLite's online backup API in one step (one read
    transaction: a consistent snapshot; in WAL mode the site keeps writing), then
    make the copy a single self-contained file and check it."""
    if not Path(source).is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    src = sqlite3.connect(source, timeout=SQLITE_TIMEOUT)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        problems = sqlite_integrity_problems(dst)
    finally:
        src.close()
        dst.close()
    if problems:
        raise BackupError("The copy of the database is damaged (so is the database: run "
                          "manage.py check_data):\n" + "\n".join(problems))


def sqlite_integrity_problems(db: sqlite3.Connection) -> list[str]:
    """SQLite's own integrity check, then its foreign key check; empty when sound."""
    try:
        rows = [row[0] for row in db.execute("PRAGMA integrity_check")]
        broken_links = db.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as error:
        return [f"SQLite cannot read the database: {error}."]
    problems = [] if rows == ["ok"] else [f"SQLite integrity check: {row}" for row in rows]
    problems += [f"Table {table}, row {rowid}: refers to a missing row of {parent}."
                 for table, rowid, parent, _key in broken_links]
    return problems


def _pg_command(alias: str, program: str,
                parameters: list[str]) -> tuple[list[str], dict[str, str]]:
    """`program` with the connection's host, port, user and database (Django's own
    translation of the settings for psql), the password only in the environment."""
    connection = connections[alias]
    if not connection.settings_dict.get("NAME"):
        raise BackupError("Name the PostgreSQL database in DATABASE_URL.")
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(f"{program} is not installed: install PostgreSQL's client programs "
                          "(Debian: postgresql-client) of the server's version or newer.")
    args, env = connection.client.settings_to_cmd_args_env(
        connection.settings_dict, ["--no-password", *parameters])
    return [binary, *args[1:]], {**os.environ, **(env or {})}


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - our own arguments
    if result.returncode != 0:
        raise BackupError(f"{what} failed ({result.returncode}): {result.stderr.strip()}")


def _pg_dump(alias: str, target: Path) -> None:
    """pg_dump's custom format (one snapshot: the site keeps writing), then its
    table of contents read back by pg_restore, so a dump that cannot be read fails
    the backup now rather than the restore later."""
    args, env = _pg_command(alias, "pg_dump", ["--format=custom", f"--file={target}"])
    _run(args, env, "pg_dump")
    listing, env = _pg_command(alias, "pg_restore", ["--list", str(target)])
    _run(listing[:-1], env, "Reading back the dump")  # --list reads the file: no database


def _roots() -> dict[str, Path]:
    """Each folder of files in an archive, by its prefix there (read when used: tests
    and restores point the settings elsewhere)."""
    return {MEDIA: Path(settings.MEDIA_ROOT), PRIVATE: Path(settings.PRIVATE_MEDIA_ROOT)}


def _add_media(tar: tarfile.TarFile, roots: dict[str, Path],
               files: dict[str, dict[str, Any]]) -> None:
    listed = (item for prefix, root in roots.items() for item in media_files(root, prefix))
    for name, path in listed:
        if name in files:
            continue
        try:
            _add_file(tar, name, path, files)
        except FileNotFoundError:
            continue  # deleted since listed: check_data reports it if the database names it


class _HashingReader:
    """Reads a file for tarfile and digests what it read, so each file is read once."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.digest = raw, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, name: str, path: Path,
              files: dict[str, dict[str, Any]]) -> None:
    with path.open("rb") as raw:
        info = tar.gettarinfo(arcname=name, fileobj=raw)
        _anonymise(info)
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    files[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(content), int(time.time())
    _anonymise(info)
    tar.addfile(info, io.BytesIO(content))


def _anonymise(info: tarfile.TarInfo) -> None:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""


# --- restore ---


def restore_backup(*, path: Path, force: bool = False, alias: str = "default") -> Restored:
    """Restore an archive into the configured database, MEDIA_ROOT and
    PRIVATE_MEDIA_ROOT.

    Verifies the whole archive first and changes nothing unless it is sound, made
    for this engine, and made by this version of Chapterhouse or an older one (then
    run `migrate`; a version 1 archive has no private files, so none are written).
    Refuses a database that has tables, or a MEDIA_ROOT or PRIVATE_MEDIA_ROOT with
    files, unless `force`: then the database's tables are replaced and the archive's
    files written over same-named ones (other files stay). Stop the site first.
    """
    manifest = verify_archive(path)
    engine = engine_of(alias)
    if manifest["engine"] != engine:
        raise BackupError(f"This is a {manifest['engine']} backup; the site is configured "
                          f"for {engine} (DATABASE_URL).")
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, name in manifest["migrations"]
                     if (app, name) not in known)
    if unknown:
        raise BackupError("This backup was made by a newer version of Chapterhouse (migrations "
                          f"unknown here: {', '.join(unknown[:5])}): restore it with that version.")
    roots = _roots()
    connection = connections[alias]
    if engine == "sqlite":
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    tables = connection.introspection.table_names()
    if not force and tables:
        raise BackupError(f"The database already has {len(tables)} tables: restore into an "
                          "empty database, or add --force to replace it.")
    for setting, root in (("MEDIA_ROOT", roots[MEDIA]), ("PRIVATE_MEDIA_ROOT", roots[PRIVATE])):
        if not force and any(media_files(root)):
            raise BackupError(f"{root} already holds files: restore into an empty {setting}, "
                              "or add --force to write over them.")
    # SQLite: the copy is unpacked beside the database (same disk); PostgreSQL: in TMPDIR.
    beside = Path(connection.settings_dict["NAME"]).parent if engine == "sqlite" else None
    with tempfile.TemporaryDirectory(dir=beside, prefix=".restore-") as scratch, \
            tarfile.open(path, mode="r:") as tar:
        database = Path(scratch) / manifest["database"]
        _extract(tar, manifest, manifest["database"], database)
        connection.close()
        if engine == "sqlite":
            _sqlite_restore(database, Path(connection.settings_dict["NAME"]))
        else:
            _pg_restore(alias, database, tables if force else [])
        restored = {prefix: 0 for prefix in roots}
        for name in manifest["files"]:
            prefix = next((p for p in roots if name.startswith(p)), None)
            if prefix is not None:
                _extract(tar, manifest, name, roots[prefix] / name.removeprefix(prefix))
                restored[prefix] += 1
    return Restored(created_at=manifest["created_at"], engine=engine,
                    media_files=restored[MEDIA], private_files=restored[PRIVATE])


def _extract(tar: tarfile.TarFile, manifest: dict[str, Any], name: str, target: Path) -> None:
    """Write one member to `target` through a temporary file, checking its digest again
    (the archive could have changed since it was verified)."""
    stream = tar.extractfile(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    digest = hashlib.sha256()
    with temporary.open("wb") as out:
        while stream is not None and (chunk := stream.read(CHUNK)):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != manifest["files"][name]["sha256"]:
        temporary.unlink()
        raise BackupError(f"{name} changed in the archive while it was restored.")
    os.replace(temporary, target)


def _sqlite_restore(copy: Path, target: Path) -> None:
    """Check the copy, then write it into the target with the backup API, which
    replaces the target's content under SQLite's own locks, WAL included (a renamed
    file would leave a stale -wal beside it)."""
    src = sqlite3.connect(copy)
    try:
        problems = sqlite_integrity_problems(src)
        if problems:
            raise BackupError("The database in the archive is damaged:\n" + "\n".join(problems))
        dst = sqlite3.connect(target, timeout=SQLITE_TIMEOUT)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _pg_restore(alias: str, dump: Path, drop: list[str]) -> None:
    """Drop the tables being replaced, then pg_restore in one transaction (all or
    nothing), owned by the configured user (--no-owner, --no-privileges)."""
    connection = connections[alias]
    if drop:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(quote(t) for t in drop) + " CASCADE")
        connection.close()
    args, env = _pg_command(alias, "pg_restore", [
        "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
        str(dump), "--dbname"])
    _run(args, env, "pg_restore")
