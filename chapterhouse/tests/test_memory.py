"""An app worker's memory (issue #19: at most 100 MB): what a page loads.

The bench measures the worker's peak (bench/run.py, "peak RSS"); these tests keep the
large libraries that no page needs out of it, in a fresh process, since this one has
imported everything the other tests needed.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, resolve, reverse

ROOT = Path(__file__).resolve().parents[2]

# Each is a few MB in every worker, imported where it is used: numpy by voting's
# counting and the close, Pillow by lib.images, icalendar by the events feeds; fido2 and
# cryptography's Rust bindings by allauth's two-factor views and Anymail's webhooks, the
# REST API's modules with DRF's serializers by the API (lib.lazyurls); requests by
# Anymail's checks (config/anymail.py) and DRF's template tags (DRF is not an app).
HEAVY = ["numpy", "PIL.Image", "icalendar", "fido2", "cryptography.hazmat.bindings._rust",
         "anymail.webhooks", "chapterhouse.api.v1_urls", "rest_framework.serializers",
         "drf_spectacular.generators", "requests"]

PROBE = """
import json, sys
import django
django.setup()
from django.db import connection
connection.settings_dict.setdefault("TEST", {})["MIGRATE"] = False
connection.creation.create_test_db(verbosity=0, serialize=False)
from django.test import Client
from chapterhouse.chapters.models import Chapter
from chapterhouse.members.tests.factories import make_member
from chapterhouse.lib import collation
ada = make_member(name="Ada", city="London")
make_member(name="Bo", city="Manchester")
pages = [c.get_absolute_url() for c in Chapter.objects.order_by("path")]
visitor, member = Client(), Client()
member.force_login(ada.user)
statuses = [c.get(url).status_code for url in pages for c in (visitor, member)]
table = type(collation._collator.table).__name__ if collation._collator else None
print(json.dumps({"pages": len(pages), "statuses": sorted(set(statuses)), "table": table,
                  "loaded": [m for m in sys.argv[1:] if m in sys.modules]}))
"""


def test_chapter_pages_load_none_of_the_large_libraries_no_page_needs(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL"}} | {
        "CHAPTERHOUSE_TESTING": "1", "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "sqlite://:memory:", "DJANGO_SETTINGS_MODULE":
        "chapterhouse.config.settings"}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", PROBE, *HEAVY], cwd=ROOT, env=env, capture_output=True,
        text=True, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["pages"] >= 4  # International, country, region, cities
    assert found["statuses"] == [200]
    # The sub-chapters were sorted with the compact table, not pyuca's trie.
    assert found["table"] == "_CompactTable"
    assert found["loaded"] == []


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name, prefix + str(pattern.pattern)


def test_the_account_pages_are_allauths_own():
    import allauth.urls

    theirs = dict(_names(allauth.urls.urlpatterns))
    ours = dict(_names(__import__("chapterhouse.config.accounts_urls",
                                  fromlist=["urlpatterns"]).urlpatterns))
    assert ours == theirs
    assert reverse("mfa_index") == "/accounts/2fa/"


@pytest.mark.django_db
def test_the_api_loaded_on_first_use_resolves_and_reverses_as_included(client):
    assert reverse("v1:member-list") == "/api/v1/members/"
    assert reverse("anymail:mailgun_inbound_webhook") == "/anymail/mailgun/inbound/"
    assert resolve("/api/v1/members/").func.cls.__name__ == "MemberList"  # type: ignore[attr-defined]
    response = client.get("/api/v1/nothing-here/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_the_app_server_caps_mallocs_arenas_unless_the_environment_does(monkeypatch):
    import platform

    from chapterhouse.config.malloc import tune_malloc

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's mallopt")
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # the operator's choice stays
    assert tune_malloc() == ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"]
    asgi = (ROOT / "chapterhouse/config/asgi.py").read_text()
    assert asgi.index("tune_malloc()") < asgi.index("sync_stack_asgi_application()")
