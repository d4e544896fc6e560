"""An ASGI live server for browser tests that need WebSockets (chat, live notices):
uvicorn serving config/asgi.py (HTTP through Django, WebSockets through Channels) in a
thread of the test process, against the test database (a file on SQLite, see
chapterhouse/conftest.py; the test's own database on PostgreSQL). pytest-django's
live_server speaks WSGI only.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chapterhouse.conftest import fresh_realtime_state


class AsgiServer:
    """The site served by uvicorn in a thread. `url` is its address; `run(function)`
    calls a synchronous function in the server's event loop, as a request would (so what
    it pushes to the in-memory channel layer reaches the server's sockets)."""

    def __init__(self) -> None:
        import uvicorn

        from chapterhouse.config.asgi import application

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        # What pytest-django's live-server helper enables and disables around each test
        # that asks for `live_server` (conftest.py makes that this server).
        from django.test.utils import modify_settings

        self._live_server_modified_settings = modify_settings(
            ALLOWED_HOSTS={"append": "127.0.0.1"})
        self.server = uvicorn.Server(uvicorn.Config(
            application, host="127.0.0.1", port=self.port, log_level="warning",
            lifespan="off", ws="websockets-sansio",
        ))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=lambda: self.loop.run_until_complete(self.server.serve()),
            name="asgi-live-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("The ASGI live server did not start.")
            time.sleep(0.05)

    def run(self, function: Callable[[], Any]) -> Any:
        from asgiref.sync import sync_to_async

        return asyncio.run_coroutine_threadsafe(
            sync_to_async(function)(), self.loop).result(30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def asgi_server(transactional_db) -> Iterator[AsgiServer]:
    # The site row allauth's pages read: a test after one with serialized_rollback
    # starts from a database flushed without post_migrate, which creates it.
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.get_or_create(pk=settings.SITE_ID,
                               defaults={"domain": "example.com", "name": "example.com"})
    server = AsgiServer()
    yield server
    server.stop()
    # Its sockets' layer remembers this server's loop, now closed (see _fresh_realtime).
    fresh_realtime_state()


@pytest.fixture
def asgi_live_server(asgi_server: AsgiServer) -> AsgiServer:
    """The same server, by the name the chat tests use."""
    return asgi_server
