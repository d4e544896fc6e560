"""Sessions read through the cache, where a logout holds whatever the cache keeps
(members.sessions; issue #14, item 8). The cache here is the test suite's local
memory; test_redis_outage.py runs the same with a real Redis cut off and hung."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.members.models import User
from chapterhouse.members.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/me/tokens/"


@pytest.fixture(autouse=True)
def _cached_sessions(settings):
    settings.SESSION_ENGINE = "chapterhouse.members.sessions"


def _log_in(member) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": member.user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _cookie(browser: Client) -> str:
    return browser.cookies[django_settings.SESSION_COOKIE_NAME].value


def _with_cookie(session_key: str) -> Client:
    browser = Client()
    browser.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
    return browser


def _queries(browser: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(PAGE).status_code == 200
    return len(queries)


def test_a_copy_the_cache_kept_after_a_logout_is_not_trusted(member):
    browser = _log_in(member)
    session_key = _cookie(browser)
    copy = cache.get(KEY_PREFIX + session_key)
    assert copy is not None

    assert browser.post("/accounts/logout/").status_code == 302
    # As a delete that never reached Redis, or a Redis restored from a snapshot.
    cache.set(KEY_PREFIX + session_key, copy)

    response = _with_cookie(session_key).get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert cache.get(KEY_PREFIX + session_key) is None  # the dead copy is gone
    assert User.objects.get(pk=member.user.pk).sessions_fenced_at is not None


def test_the_copy_never_shows_in_the_sessions_own_data(member):
    browser = _log_in(member)
    browser.get(PAGE)
    from chapterhouse.members.sessions import CACHED_AT, SessionStore

    session = SessionStore(_cookie(browser))
    assert CACHED_AT not in session.load()
    assert session.cached_at is not None  # read from the cache


def test_a_signed_in_request_costs_what_it_did_with_djangos_cached_sessions(member, settings):
    ours = _queries(_log_in(member))
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    django = _queries(_log_in(member))
    assert ours == django


def test_after_a_logout_elsewhere_each_other_session_is_checked_once(member):
    laptop, phone = _log_in(member), _log_in(member)
    before = _queries(laptop)
    phone.post("/accounts/logout/")

    assert _queries(laptop) == before + 1  # is this session still in the database? yes
    assert _queries(laptop) == before  # and the copy says so from now on


def test_signing_out_stamps_the_account_once(member):
    browser = _log_in(member)
    with CaptureQueriesContext(connection) as queries:
        browser.post("/accounts/logout/")
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "sessions_fenced_at" in updates[0]
