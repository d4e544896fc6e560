"""Browser tests: Playwright for Python driving Debian's Chromium.

Without Chromium the tests are skipped with a one-line hint; in CI (CI=true)
a missing browser is a failure, so a green CI always means they ran.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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


class AsgiServer:
    """The site's ASGI application (HTTP and WebSockets) served by uvicorn in a thread,
    against the test database. `run(function)` calls a synchronous function in the
    server's event loop, as a request would (so what it pushes to the in-memory channel
    layer reaches the server's sockets)."""

    def __init__(self) -> None:
        import asyncio
        import socket
        import threading

        import uvicorn

        from chapterhouse.config.asgi import application

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="off", ws="websockets")
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=lambda: self.loop.run_until_complete(self.server.serve()), daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            threading.Event().wait(0.05)
        else:
            raise RuntimeError("uvicorn did not start")

    def run(self, function):
        import asyncio

        from asgiref.sync import sync_to_async

        return asyncio.run_coroutine_threadsafe(sync_to_async(function)(), self.loop).result(30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[AsgiServer]:
    """An ASGI live server (pytest-django's live_server speaks WSGI: no WebSockets)."""
    server = AsgiServer()
    yield server
    server.stop()
