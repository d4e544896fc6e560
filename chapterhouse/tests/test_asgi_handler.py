"""The ASGI entry point (config/handler.py): the middleware and the view run as one
synchronous stack, entered once a request, and behave as under the test client."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asgiref.sync
import pytest
from asgiref.testing import ApplicationCommunicator

from chapterhouse.config.handler import SyncStackASGIHandler, sync_stack_asgi_application

pytestmark = pytest.mark.django_db(transaction=True)  # the request runs in its own thread


def _request(app: Any, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
    }

    async def exchange() -> tuple[int, bytes]:
        talk = ApplicationCommunicator(app, scope)
        await talk.send_input({"type": "http.request", "body": body, "more_body": False})
        start = await talk.receive_output(timeout=20)
        chunks = []
        while True:
            message = await talk.receive_output(timeout=20)
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await talk.wait(timeout=5)
        return start["status"], b"".join(chunks)

    # In a thread of its own: a browser test earlier in the run may have left an event
    # loop running in this one (Playwright's sync API), where asyncio.run() refuses.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, exchange()).result()


@pytest.fixture
def switches(monkeypatch):
    """The sync→async switches a request makes (AsyncToSync calls), and the threads its
    synchronous stack was entered in."""
    seen: dict[str, Any] = {"async_to_sync": 0, "threads": set()}
    original = asgiref.sync.AsyncToSync.__call__

    def counted(self, *args, **kwargs):
        seen["async_to_sync"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(asgiref.sync.AsyncToSync, "__call__", counted)
    return seen


def test_a_page_is_served_through_one_synchronous_stack(switches, monkeypatch, client):
    app = sync_stack_asgi_application()
    assert isinstance(app, SyncStackASGIHandler)
    assert not asyncio.iscoroutinefunction(getattr(app, "_middleware_chain"))  # noqa: B009
    original = SyncStackASGIHandler.get_response

    def traced(self, request):
        switches["threads"].add(threading.get_ident())
        return original(self, request)

    monkeypatch.setattr(SyncStackASGIHandler, "get_response", traced)
    status, body = _request(app, "GET", "/accounts/login/")
    assert status == 200
    # The same page as the test client renders (its form, its CSRF field).
    expected = client.get("/accounts/login/")
    assert b'name="csrfmiddlewaretoken"' in body
    assert b'action="/accounts/login/"' in body
    assert expected.status_code == 200
    assert switches["async_to_sync"] == 0  # Django's own handler makes one a request
    assert len(switches["threads"]) == 1 and threading.get_ident() not in switches["threads"]


def test_the_middleware_still_guards_a_post(switches):
    # No CSRF cookie or token: the CSRF middleware refuses, as under the test client.
    status, body = _request(sync_stack_asgi_application(), "POST", "/accounts/login/",
                            b"login=a%40example.org&password=x")
    assert status == 403
    assert switches["async_to_sync"] == 0
