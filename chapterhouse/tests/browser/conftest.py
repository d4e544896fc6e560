"""Browser tests: Playwright for Python driving Debian's Chromium.

Without Chromium the tests are skipped with a one-line hint; in CI (CI=true)
a missing browser is a failure, so a green CI always means they ran.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import PASSWORD
from chapterhouse.tests.journeys import Journeys, build_journeys, build_people

# The ASGI (HTTP + WebSocket) live server, for tests that need sockets (chat).
from .asgi_server import asgi_live_server, asgi_server  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
# Flags for a sandboxed root session on a machine with no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium not found: install Debian's chromium (apt-get install chromium)."
        if os.environ.get("CI") == "true":
            pytest.fail(message + " In CI a skipped browser test is a failure.")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls from the test body are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.csp_errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def journeys(db) -> Journeys:
    """The pages of the main journeys with their data (chapterhouse/tests/journeys.py)."""
    return build_journeys()


@pytest.fixture
def people(db) -> list[Member]:
    return build_people()


@pytest.fixture
def screen(browser, live_server) -> Iterator[Callable]:
    """A factory of pages in one language at one width:
    screen(language, javascript=True, width=360, height=740). Up to 480 px wide the
    browser is a phone (mobile viewport, touch)."""
    contexts = []

    def open_screen(language: str, javascript: bool = True, width: int = 360,
                    height: int = 740):
        phone = width <= 480
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", java_script_enabled=javascript,
            viewport={"width": width, "height": height}, device_scale_factor=1,
            is_mobile=phone, has_touch=phone,
        )
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies([{"name": "django_language", "value": language,
                              "domain": host, "path": "/"}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_screen
    for context in contexts:
        context.close()


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (every factory member has PASSWORD)."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def live_server(asgi_server):  # noqa: F811
    """Every browser test runs against the ASGI application, as production serves it
    (HTTP and WebSockets: the live notices' socket, chat), not pytest-django's WSGI
    live server, on which every page's socket would fail."""
    return asgi_server


@pytest.fixture(autouse=True)
def _rows_post_migrate_makes(request):
    """Content types and the site row, before any fixture builds data: a browser test
    right after one with serialized_rollback starts from a database flushed without
    post_migrate, which creates them (foreign keys to content types then fail)."""
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.conf import settings
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.sites.models import Site

    for config in apps.get_app_configs():
        create_contenttypes(config, verbosity=0)
    Site.objects.get_or_create(pk=settings.SITE_ID,
                               defaults={"domain": "example.com", "name": "example.com"})
