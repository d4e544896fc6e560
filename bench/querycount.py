"""In-process SQL query counts for bench/run.py (needs DJANGO_SETTINGS_MODULE + DATABASE_URL).

Picks, in the seeded database, a large and a small chapter for each page, requests each
page anonymously with django.test.Client (after one warm-up request), counts its
queries with CaptureQueriesContext, and prints JSON:
    {"pages": [{"name", "large": {"url", "rows", "queries", "status"},
                "small": {...}}], "load": {"chapter_page": url, "proposals_list": url,
                "proposals_path": url_path}}
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from chapterhouse.chapters.models import Chapter  # noqa: E402


def measure(client: Client, url: str) -> dict:
    client.get(url)  # warm-up: per-process caches, first-request work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return {"url": url, "queries": len(ctx.captured_queries), "status": response.status_code}


def main() -> None:
    client = Client()
    chapters = Chapter.objects.exclude(url_path="")
    big = chapters.order_by("-member_count", "path").first()
    small = chapters.filter(member_count__gt=0).order_by("member_count", "path").first()
    with_proposals = Chapter.objects.exclude(url_path="").annotate(
        n=Count("proposals", filter=~Q(proposals__status="draft"))
    )
    busy = with_proposals.order_by("-n", "path").first()
    quiet = with_proposals.filter(n__gt=0).order_by("n", "path").first() or with_proposals.order_by(
        "n", "path"
    ).first()
    if big is None or small is None or busy is None or quiet is None:
        sys.exit("querycount: the database has no chapters; is it seeded?")

    def proposals_url(c: Chapter) -> str:
        return reverse("decisions:chapter", kwargs={"url_path": c.url_path})

    pages = [
        {
            "name": "chapter page (anonymous)",
            "large": {**measure(client, big.get_absolute_url()), "rows": big.member_count},
            "small": {**measure(client, small.get_absolute_url()), "rows": small.member_count},
        },
        {
            "name": "proposals list (anonymous)",
            "large": {**measure(client, proposals_url(busy)), "rows": busy.n},
            "small": {**measure(client, proposals_url(quiet)), "rows": quiet.n},
        },
    ]
    json.dump(
        {
            "pages": pages,
            "load": {
                "chapter_page": big.get_absolute_url(),
                "proposals_list": proposals_url(busy),
                "proposals_path": busy.url_path,
                "proposals_rows": busy.n,
            },
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
