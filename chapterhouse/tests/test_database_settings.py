"""PostgreSQL connections come from a pool in production, configured by environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps([db.get('OPTIONS', {}).get('pool'), db['CONN_MAX_AGE']]))"
)


def database_settings(**variables: str) -> list:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CHAPTERHOUSE_TESTING", "DATABASE_URL", "DATABASE_POOL",
                       "DATABASE_CONN_MAX_AGE"}
    } | {
        "DJANGO_SETTINGS_MODULE": "chapterhouse.config.settings",
        # Production settings start only with a real key.
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
    } | variables
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


POSTGRES = "postgres://chapterhouse@127.0.0.1:5432/chapterhouse"


def test_postgresql_uses_a_connection_pool_by_default():
    pool, max_age = database_settings(DATABASE_URL=POSTGRES, DATABASE_CONN_MAX_AGE="60")
    assert pool == {"min_size": 2, "max_size": 10, "timeout": 10.0}
    assert max_age == 0  # Django refuses a pool with persistent connections


def test_the_pool_is_sized_by_environment_or_turned_off():
    pool, _ = database_settings(DATABASE_URL=POSTGRES, DATABASE_POOL_MAX_SIZE="30",
                                DATABASE_POOL_MIN_SIZE="5", DATABASE_POOL_TIMEOUT="2.5")
    assert pool == {"min_size": 5, "max_size": 30, "timeout": 2.5}
    pool, max_age = database_settings(DATABASE_URL=POSTGRES, DATABASE_POOL="0",
                                      DATABASE_CONN_MAX_AGE="60")
    assert pool is None and max_age == 60


def test_sqlite_and_the_test_suite_have_no_pool(tmp_path):
    assert database_settings(DATA_DIR=str(tmp_path))[0] is None
    assert database_settings(DATABASE_URL=POSTGRES, CHAPTERHOUSE_TESTING="1")[0] is None


def test_private_files_may_not_live_where_media_is_served_to_anyone(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in {"CHAPTERHOUSE_TESTING", "DATABASE_URL"}} | {
        "DJANGO_SETTINGS_MODULE": "chapterhouse.config.settings", "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "media" / "private")}
    refused = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False)
    assert refused.returncode != 0
    assert "PRIVATE_MEDIA_ROOT" in refused.stderr and "inside MEDIA_ROOT" in refused.stderr
    allowed = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env | {
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private")},
        capture_output=True, text=True, check=False)
    assert allowed.returncode == 0, allowed.stderr
