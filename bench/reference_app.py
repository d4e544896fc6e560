"""The references for bench/run.py: a minimal Django ASGI app, served like Chapterhouse.

    gunicorn bench.reference_app:application -k uvicorn.workers.UvicornWorker -w 2

- GET /hello                      → "hello" (no middleware, no database, no template)
- GET /proposals?path=<url_path>  → the chapter's published proposals as JSON, read with
                                    one raw SQL SELECT through psycopg (connections kept
                                    open in a small process-wide pool: under ASGI each
                                    request's sync code runs on its own thread, so
                                    per-thread connections would reconnect every time).
- GET /posts?proposal=<id>        → the first 50 posts of the proposal's deliberation
                                    thread with their authors' names, as JSON, one SELECT
                                    (the page shows 50 posts at a time).
- GET /search?q=<words>           → the first 20 search results an anonymous reader gets
                                    (public entries, best first) with the number found,
                                    one SELECT on the search index (PostgreSQL's tsvector
                                    or SQLite's FTS5 table), the same ids as /search/.
Reads DATABASE_URL from the environment (the bench's scratch database); with a sqlite:///
URL (`bench/run.py --database sqlite`) the same SELECTs run through the sqlite3 module.
"""

from __future__ import annotations

import json
import os
import queue
import re
import sqlite3
import unicodedata
from typing import Any

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

_pool: queue.LifoQueue[Any] = queue.LifoQueue()

PROPOSALS_SQL = """
SELECT p.public_id::text, p.title, p.status, p.created_at
FROM decisions_proposal p JOIN chapters_chapter c ON c.id = p.chapter_id
WHERE c.url_path = %s AND p.status <> 'draft'
ORDER BY p.created_at DESC, p.id DESC
LIMIT 50
"""

POSTS_SQL = """
SELECT p.public_id::text, m.display_name, p.body, p.created_at
FROM discussions_post p
JOIN discussions_thread t ON t.id = p.thread_id
LEFT JOIN members_member m ON m.id = p.author_id
WHERE t.kind = 'deliberation' AND t.subject_id = %s
  AND t.subject_type_id = (SELECT id FROM django_content_type
                           WHERE app_label = 'decisions' AND model = 'proposal')
ORDER BY p.id
LIMIT 50
"""


# Search: what an anonymous reader finds, ranked as chapterhouse.search ranks it: the
# SEARCH_LIMIT newest matches (chapterhouse.search.selectors.MAX_RESULTS), best first.
SEARCH_LIMIT = 1_000

SEARCH_SQL = """
SELECT e.id, e.kind, e.title, e.url, e.date, count(*) OVER ()
FROM (SELECT websearch_to_tsquery('simple', unaccent(%(q)s))
             || websearch_to_tsquery('english', unaccent(%(q)s)) AS q) query,
     LATERAL (SELECT n.id FROM search_entry n
              WHERE n.audience = 'public' AND n.vector @@ query.q
              ORDER BY n.date DESC, n.id DESC LIMIT %(limit)s) newest
JOIN search_entry e ON e.id = newest.id
ORDER BY ts_rank(e.vector, query.q) DESC, e.date DESC, e.id DESC
LIMIT 20
"""

SEARCH_SQL_SQLITE = """
SELECT id, kind, title, url, date, count(*) OVER ()
FROM (SELECT e.id, e.kind, e.title, e.url, e.date,
             bm25(search_entry_fts, 10.0, 1.0) AS score
      FROM search_entry_fts JOIN search_entry e ON e.id = search_entry_fts.rowid
      WHERE search_entry_fts MATCH :q AND e.audience = 'public'
      ORDER BY e.date DESC, e.id DESC LIMIT :limit)
ORDER BY score, date DESC, id DESC
LIMIT 20
"""


def search_terms(text: str) -> str:
    """The words of `text`, each quoted (no operators): FTS5's MATCH and the text of
    websearch_to_tsquery alike. Plain words only (the bench's queries)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c)).casefold()
    return " ".join(f'"{word}"' for word in re.findall(r"[^\W_]+", plain))


def search_rows(conn: Any, text: str) -> list[tuple]:
    """The reference's rows for the query `text` on a DB-API connection."""
    terms = search_terms(text)
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(SEARCH_SQL_SQLITE, {"q": terms, "limit": SEARCH_LIMIT}).fetchall()
    with conn.cursor() as cur:
        cur.execute(SEARCH_SQL, {"q": terms, "limit": SEARCH_LIMIT})
        return cur.fetchall()


def _connect() -> Any:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
    return psycopg.connect(url, autocommit=True)


def _take() -> Any:
    try:
        conn = _pool.get_nowait()
    except queue.Empty:
        return _connect()
    return _connect() if getattr(conn, "closed", False) else conn


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


def _select(sql: str, param: str) -> list[tuple]:
    conn = _take()
    try:
        if isinstance(conn, sqlite3.Connection):  # no ::text casts, "?" placeholders
            return conn.execute(sql.replace("::text", "").replace("%s", "?"), (param,)).fetchall()
        with conn.cursor() as cur:
            cur.execute(sql, (param,))
            return cur.fetchall()
    finally:
        _pool.put(conn)


def _iso(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()  # SQLite returns text


def proposals(request: HttpRequest) -> HttpResponse:
    rows = [
        {"id": r[0], "title": r[1], "status": r[2], "created_at": _iso(r[3])}
        for r in _select(PROPOSALS_SQL, request.GET.get("path", ""))
    ]
    return HttpResponse(json.dumps({"proposals": rows}), content_type="application/json")


def posts(request: HttpRequest) -> HttpResponse:
    rows = [
        {"id": r[0], "author": r[1], "body": r[2], "created_at": _iso(r[3])}
        for r in _select(POSTS_SQL, request.GET.get("proposal", ""))
    ]
    return HttpResponse(json.dumps({"posts": rows}), content_type="application/json")


def search(request: HttpRequest) -> HttpResponse:
    conn = _take()
    try:
        found = search_rows(conn, request.GET.get("q", ""))
    finally:
        _pool.put(conn)
    rows = [{"id": r[0], "kind": r[1], "title": r[2], "url": r[3], "date": _iso(r[4])}
            for r in found]
    count = found[0][5] if found else 0
    return HttpResponse(json.dumps({"count": count, "results": rows}),
                        content_type="application/json")


urlpatterns = [path("hello", hello), path("proposals", proposals), path("posts", posts),
               path("search", search)]

from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_asgi_application()
# The same app over WSGI, for bench/run.py --server wsgi.
wsgi_application = get_wsgi_application()
