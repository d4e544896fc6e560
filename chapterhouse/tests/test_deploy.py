"""Project-wide checks: migrations are complete and production settings are safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_is_clean_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CHAPTERHOUSE_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | {
        "SECRET_KEY": "a-long-random-production-secret-" + "k" * 40,
        "HTTPS": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "ALLOWED_HOSTS": "chapters.example.org",
        "DEBUG": "0",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_static_files_collect_with_the_production_storage(tmp_path):
    """Manifest storage refuses references to missing files (e.g. source maps)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CHAPTERHOUSE_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | {"DEBUG": "0", "DATA_DIR": str(tmp_path), "SECRET_KEY": "collect-" + "s" * 50}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    _served_compressed_with_far_future_caching(tmp_path / "static")


def _served_compressed_with_far_future_caching(static_root: Path) -> None:
    """What WhiteNoise serves from the collected files in production (issue #15): each
    file under a name with its content's hash, compressed, cached for ten years."""
    from django.http import HttpResponse
    from django.test import RequestFactory, override_settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    production = {"staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    with override_settings(DEBUG=False, STATIC_ROOT=static_root, WHITENOISE_USE_FINDERS=False,
                           STORAGES={**settings.STORAGES, **production}):
        from django.contrib.staticfiles.storage import staticfiles_storage

        serve = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
        for name in ("css/site.css", "js/site.js", "vendor/htmx/htmx.min.js"):
            url = staticfiles_storage.url(name)
            assert url != settings.STATIC_URL + name  # a hashed name
            response = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, br"))
            assert response.status_code == 200, url
            assert response["Content-Encoding"] in {"gzip", "br"}
            cache = response["Cache-Control"]
            assert "immutable" in cache and "max-age=315360000" in cache, cache
            size = int(response["Content-Length"])
            assert size < (static_root / name).stat().st_size / 2, (name, size)


def _python(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CHAPTERHOUSE_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "DEBUG"}
    } | variables
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )


SERVERS = ["chapterhouse.config.asgi", "chapterhouse.config.wsgi"]


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    "key", [None, "", "change-me-to-a-long-random-string", "django-insecure-abc" + "x" * 50,
            "short"],
)
def test_the_app_server_refuses_to_start_without_a_real_secret_key_outside_debug(key, server):
    variables = {"DEBUG": "0"} | ({} if key is None else {"SECRET_KEY": key})
    result = _python("-c", f"import {server}", **variables)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "get_random_secret_key" in result.stderr  # says how to make one


@pytest.mark.parametrize("server", SERVERS)
def test_the_app_server_starts_with_a_real_key_or_in_debug(server):
    real = "a-long-random-production-secret-" + "k" * 40
    assert _python("-c", f"import {server}", DEBUG="0", SECRET_KEY=real).returncode == 0
    assert _python("-c", f"import {server}", DEBUG="1").returncode == 0


def test_commands_that_sign_nothing_work_without_a_key():
    result = _python("manage.py", "makemigrations", "--check", "--dry-run", DEBUG="0")
    assert result.returncode == 0, result.stderr
