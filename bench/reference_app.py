"""The references for bench/run.py: a minimal Django ASGI app, served like Chapterhouse.

    gunicorn bench.reference_app:application -k uvicorn.workers.UvicornWorker -w 2

- GET /hello                      → "hello" (no middleware, no database, no template)
- GET /proposals?path=<url_path>  → the chapter's published proposals as JSON, read with
                                    one raw SQL SELECT through psycopg (connections kept
                                    open in a small process-wide pool: under ASGI each
                                    request's sync code runs on its own thread, so
                                    per-thread connections would reconnect every time).
Reads DATABASE_URL from the environment (the bench's scratch database).
"""

from __future__ import annotations

import json
import os
import queue

import django
import psycopg
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-reference",  # noqa: S106 - loopback bench app, no sessions
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_TZ=True,
    )
    django.setup()

_pool: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()

PROPOSALS_SQL = """
SELECT p.public_id::text, p.title, p.status, p.created_at
FROM decisions_proposal p JOIN chapters_chapter c ON c.id = p.chapter_id
WHERE c.url_path = %s AND p.status <> 'draft'
ORDER BY p.created_at DESC, p.id DESC
LIMIT 50
"""


def _take() -> psycopg.Connection:
    try:
        conn = _pool.get_nowait()
    except queue.Empty:
        return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    if conn.closed:
        return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return conn


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


def proposals(request: HttpRequest) -> HttpResponse:
    conn = _take()
    try:
        with conn.cursor() as cur:
            cur.execute(PROPOSALS_SQL, (request.GET.get("path", ""),))
            rows = [
                {"id": r[0], "title": r[1], "status": r[2], "created_at": r[3].isoformat()}
                for r in cur.fetchall()
            ]
    finally:
        _pool.put(conn)
    return HttpResponse(json.dumps({"proposals": rows}), content_type="application/json")


urlpatterns = [path("hello", hello), path("proposals", proposals)]

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
