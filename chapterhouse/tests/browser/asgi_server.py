"""An ASGI live server for browser tests that need WebSockets: uvicorn serving
config/asgi.py (HTTP through Django, WebSockets through Channels) in a thread of the
test process, against the test database (a file on SQLite, see chapterhouse/conftest.py;
the test's own database on PostgreSQL). pytest-django's live_server speaks WSGI only.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def asgi_live_server(transactional_db) -> Iterator[SimpleNamespace]:
    import uvicorn

    from chapterhouse.config.asgi import application

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
        ws="websockets-sansio",
    ))
    thread = threading.Thread(target=server.run, name="asgi-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("The ASGI live server did not start.")
        time.sleep(0.05)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)
