"""The backup archive's format: its manifest, checking an archive against it, and
the archives kept in a folder (see backup.py for what is in one and why)."""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "chapterhouse-backup"
# 2: private files (PRIVATE_MEDIA_ROOT) under private/. Version 1 archives (media/
# only) still restore; older code refuses version 2 rather than drop the private part.
VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
MEDIA = "media/"
PRIVATE = "private/"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ARCHIVE_NAME = re.compile(r"^chapterhouse-(\d{8}T\d{6}Z)(?:-(\d+))?\.tar$")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def archives_in(directory: Path) -> list[Path]:
    """The archives in `directory`, oldest first (by the time and number in their names)."""
    if not directory.is_dir():
        return []
    named = [(match, p) for p in directory.iterdir() if (match := ARCHIVE_NAME.match(p.name))]
    named.sort(key=lambda item: (item[0][1], int(item[0][2] or 1)))
    return [p for _match, p in named]


def prune(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives in `directory`; returns those deleted.
    Only files named like an archive are ever touched."""
    old = archives_in(directory)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def media_files(root: Path, prefix: str = MEDIA) -> Iterator[tuple[str, Path]]:
    """The plain files under `root`, each with its name in an archive (`prefix` + its
    path under `root`): MEDIA for MEDIA_ROOT, PRIVATE for PRIVATE_MEDIA_ROOT."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield prefix + path.relative_to(root).as_posix(), path


def verify_archive(path: Path) -> dict[str, Any]:
    """The archive's manifest, once every member matches its checksum and size, every
    listed file is there and nothing else is. Raises BackupError listing each problem."""
    if not path.is_file():
        raise BackupError(f"No such archive: {path}")
    try:
        with tarfile.open(path, mode="r:") as tar:
            manifest = _read_manifest(tar)
            problems = []
            seen: set[str] = set()
            for member in tar:
                if member.name == MANIFEST:
                    continue
                problems += _member_problems(member, manifest, seen)
                if member.name in manifest["files"] and member.isfile():
                    digest = _digest(tar.extractfile(member))
                    if digest != manifest["files"][member.name]["sha256"]:
                        problems.append(f"{member.name}: its checksum does not match the "
                                        "manifest (damaged).")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} cannot be read as a backup archive: {error}") from error
    problems += [f"{name}: listed in the manifest but missing from the archive."
                 for name in sorted(set(manifest["files"]) - seen)]
    if problems:
        raise BackupError(f"{path} does not match its manifest:\n" + "\n".join(problems))
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        raw = tar.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("The archive has no manifest.json: not a Chapterhouse backup.") from None
    try:
        manifest = json.loads(raw.read() if raw else b"")
    except ValueError as error:
        raise BackupError(f"The manifest cannot be read: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("The manifest is not a Chapterhouse backup's.")
    if manifest.get("version") not in READABLE_VERSIONS:
        raise BackupError(f"Backup format version {manifest.get('version')} is not known "
                          "here: restore it with the version of Chapterhouse that made it.")
    files = manifest.get("files")
    if (manifest.get("engine") not in DATABASE_MEMBER
            or not isinstance(files, dict)
            or manifest.get("database") != DATABASE_MEMBER[manifest["engine"]]
            or manifest["database"] not in files
            or not all(isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                       and isinstance(entry.get("size"), int) for entry in files.values())
            or not isinstance(manifest.get("migrations"), list)
            or not all(isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m)
                       for m in manifest["migrations"])):
        raise BackupError("The manifest is incomplete.")
    return manifest


def _member_problems(member: tarfile.TarInfo, manifest: dict[str, Any],
                     seen: set[str]) -> list[str]:
    name = member.name
    if name in seen:
        return [f"{name}: appears twice in the archive."]
    seen.add(name)
    if name not in manifest["files"]:
        return [f"{name}: in the archive but not in the manifest."]
    if not member.isfile() or not _safe_name(name):
        return [f"{name}: not a plain file with a safe name."]
    if member.size != manifest["files"][name]["size"]:
        return [f"{name}: {member.size} bytes, the manifest says "
                f"{manifest['files'][name]['size']} (damaged or truncated)."]
    return []


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def _digest(stream: IO[bytes] | None) -> str:
    digest = hashlib.sha256()
    while stream is not None and (chunk := stream.read(CHUNK)):
        digest.update(chunk)
    return digest.hexdigest()
