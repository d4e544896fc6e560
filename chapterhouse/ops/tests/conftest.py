"""A site run as real processes against a real database (a SQLite file, or on
PostgreSQL the test database itself), and a fresh empty one to restore into."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
# Variables of the test run that must not reach the site's processes.
PRIVATE = {"DATABASE_URL", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT", "DATA_DIR", "BACKUP_DIR",
           "REDIS_URL"}


@dataclass
class Site:
    database_url: str
    sqlite_path: Path | None  # the database file, on SQLite
    home: Path  # DATA_DIR, with media/, private/ and backups/ in it

    @property
    def media_root(self) -> Path:
        return self.home / "media"

    @property
    def private_root(self) -> Path:
        return self.home / "private"

    @property
    def backup_dir(self) -> Path:
        return self.home / "backups"

    def env(self) -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k not in PRIVATE} | {
            "DJANGO_SETTINGS_MODULE": "chapterhouse.config.settings",
            "CHAPTERHOUSE_TESTING": "1",
            "DATABASE_URL": self.database_url,
            "DATA_DIR": str(self.home),
            "MEDIA_ROOT": str(self.media_root),
            "PRIVATE_MEDIA_ROOT": str(self.private_root),
            "BACKUP_DIR": str(self.backup_dir),
        }

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 - our own arguments
            [sys.executable, *args], cwd=ROOT, env=self.env(), text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own arguments
            [sys.executable, *args], cwd=ROOT, env=self.env(), text=True,
            capture_output=True, timeout=120, check=False)

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("manage.py", *args)

    def archives(self) -> list[Path]:
        return sorted(self.backup_dir.glob("chapterhouse-*.tar"))

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as db:
            return db.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as db:
                db.execute(sql)
            return
        import psycopg

        with psycopg.connect(self.database_url) as db:
            db.execute(sql)

    def count(self, table: str) -> int:
        return int(self.rows(f'SELECT COUNT(*) FROM "{table}"')[0][0])  # noqa: S608 - our tables


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _site_of(home: Path) -> Site:
    """The site's database as the test database is now (what tests committed in it).
    SQLite: a file copied from the in-memory test database with the backup API;
    PostgreSQL: the test database itself (so tests using it are transactional, with
    serialized_rollback, and what the processes commit is flushed afterwards)."""
    if connection.vendor == "sqlite":
        path = home / "chapterhouse.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
        copy.close()
        return Site(f"sqlite:///{path}", path, home)
    return Site(_postgres_url(connection.settings_dict["NAME"]), None, home)


@pytest.fixture
def site_home(tmp_path, settings) -> Path:
    home = tmp_path / "site"
    home.mkdir()
    settings.MEDIA_ROOT = home / "media"  # where the seed's avatar goes
    settings.PRIVATE_MEDIA_ROOT = home / "private"  # and its message's image
    return home


@pytest.fixture
def site(site_home, transactional_db) -> Site:
    return _site_of(site_home)


@pytest.fixture
def seeded_site(site_home, transactional_db) -> Site:
    """The site with a member with an avatar, a thread with replies, a closed
    decision and a private message with an image, seeded through the real services
    (committed: the test is transactional)."""
    from .site_process import seed

    seed()
    return _site_of(site_home)


@pytest.fixture
def fresh_site(tmp_path) -> Any:
    """An empty database (none yet, on SQLite) and empty MEDIA_ROOT and PRIVATE_MEDIA_ROOT
    to restore into.
    On PostgreSQL a scratch database named after the configured one, dropped after."""
    home = tmp_path / "fresh"
    home.mkdir()
    if connection.vendor == "sqlite":
        path = home / "chapterhouse.sqlite3"
        yield Site(f"sqlite:///{path}", path, home)
        return
    import psycopg

    name = connection.settings_dict["NAME"].removeprefix("test_") + "_restore"
    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield Site(_postgres_url(name), None, home)
    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
