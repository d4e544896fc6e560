"""Signing in, up and out while Redis is down or cut off (issue #14, items 6, 8, 10).

Real redis-server processes of the drill's own (lib/tests/redis_process.py), killed,
hung and cut off with real signals, behind the production cache and session settings.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client

from chapterhouse.lib.tests.redis_process import (
    Proxy,
    RedisServer,
    drill_settings,
    needs_redis_server,
)
from chapterhouse.members.models import ApiToken, Member
from chapterhouse.members.services import issue_api_token
from chapterhouse.members.tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, needs_redis_server]

LOGIN, LOGOUT, HOME = "/accounts/login/", "/accounts/logout/", "/me/tokens/"
SESSION_COPY = "django.contrib.sessions.cached_db"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_down(redis_server, settings) -> RedisServer:
    """The site configured for Redis, whose server has been SIGKILLed."""
    drill_settings(settings, redis_server.url())
    redis_server.kill()
    return redis_server


def _signed_in(browser: Client, session_key: str | None = None) -> bool:
    """Whether `browser` (or whoever holds `session_key`, its cookie before a logout
    replaced it) is signed in."""
    if session_key is not None:
        browser = Client()
        browser.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
    return browser.get(HOME).status_code == 200


def _cookie(browser: Client) -> str:
    return browser.cookies[django_settings.SESSION_COOKIE_NAME].value


def _log_in(email: str, password: str = PASSWORD) -> tuple[Client, int, str]:
    browser = Client()
    response = browser.post(LOGIN, {"login": email, "password": password})
    return browser, response.status_code, response.content.decode()


class TestWithRedisKilled:
    def test_a_member_signs_in(self, redis_down, member):
        browser, status, _html = _log_in(member.user.email)
        assert status == 302
        assert _signed_in(browser)

    def test_wrong_passwords_are_still_refused_after_the_configured_limit(
        self, redis_down, member
    ):
        per_key = next(
            rate for rate in parse_rates(django_settings.ACCOUNT_RATE_LIMITS["login_failed"])
            if rate.per == "key"
        )
        for _attempt in range(per_key.amount):
            _browser, status, html = _log_in(member.user.email, "not the password")
            assert status == 200 and TOO_MANY not in html
        # The next one is refused, and so is the right password, until the window passes.
        _browser, status, html = _log_in(member.user.email, "not the password")
        assert TOO_MANY in html
        _browser, status, html = _log_in(member.user.email)
        assert status == 200 and TOO_MANY in html

    def test_a_newcomer_signs_up(self, redis_down, signup_data, mailoutbox):
        response = Client().post("/accounts/signup/", signup_data)
        assert response.status_code == 302
        assert Member.objects.filter(user__email="nia@example.org").exists()
        assert len(mailoutbox) == 1

    def test_a_member_resets_their_password(self, redis_down, member, mailoutbox):
        response = Client().post("/accounts/password/reset/", {"email": member.user.email})
        assert response.status_code == 302
        link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[-1].body)
        assert link is not None
        browser = Client()
        form = browser.get(link.group(1), follow=True)
        new = {"password1": "a new and long passphrase", "password2": "a new and long passphrase"}
        assert browser.post(form.redirect_chain[-1][0], new).status_code == 302
        assert _log_in(member.user.email, "a new and long passphrase")[1] == 302

    def test_api_token_requests_are_still_throttled(self, redis_down, member):
        answers = [
            Client().post("/api/v1/auth/token/", {"email": member.user.email,
                                                  "password": "not the password"}).status_code
            for _attempt in range(6)
        ]
        assert answers[:5] == [400] * 5  # TokenPerAccountThrottle: 5 a minute
        assert answers[5] == 429


@pytest.fixture
def cut_off(redis_server, settings) -> Iterator[Proxy]:
    """The site reaching its Redis through a proxy process: kill the proxy to cut."""
    proxy = Proxy(redis_server.port)
    proxy.start()
    drill_settings(settings, redis_server.url(proxy.port), retry_after=0.2)
    yield proxy
    proxy.kill()


def _copies(redis_server: RedisServer) -> list[bytes]:
    return [key for key in redis_server.client().keys("*") if SESSION_COPY.encode() in key]


def _reconnect(proxy: Proxy, *, as_another_process: bool) -> None:
    """Restore the network; optionally as seen by a process that never saw the cut
    (which knows no keys to forget)."""
    from chapterhouse.lib import cache as lib_cache

    proxy.start()
    if as_another_process:
        lib_cache._breakers.clear()
    time.sleep(0.3)  # past RETRY_AFTER: the next call probes


class TestALogoutWithRedisCutOff:
    @pytest.mark.parametrize("as_another_process", [False, True])
    def test_the_session_stays_dead_when_redis_comes_back(
        self, redis_server, cut_off, member, as_another_process
    ):
        browser, status, _html = _log_in(member.user.email)
        assert status == 302 and _signed_in(browser)
        assert len(_copies(redis_server)) == 1  # read from Redis from now on

        old_cookie = _cookie(browser)

        cut_off.kill()
        assert browser.post(LOGOUT).status_code == 302
        assert not Session.objects.exists()
        assert len(_copies(redis_server)) == 1  # the delete never reached Redis

        _reconnect(cut_off, as_another_process=as_another_process)
        assert not _signed_in(browser, old_cookie)
        assert not _signed_in(browser, old_cookie)

    def test_a_hung_redis_during_logout_does_not_undo_it(self, redis_server, settings, member):
        drill_settings(settings, redis_server.url(), retry_after=0.2)
        browser, status, _html = _log_in(member.user.email)
        assert status == 302 and _signed_in(browser)

        old_cookie = _cookie(browser)

        redis_server.hang()
        try:
            assert browser.post(LOGOUT).status_code == 302
        finally:
            redis_server.resume()
        assert len(_copies(redis_server)) == 1
        _reconnect_breakers_only()
        assert not _signed_in(browser, old_cookie)

    def test_other_sessions_of_the_account_survive_a_logout(self, redis_server, cut_off, member):
        laptop, _status, _html = _log_in(member.user.email)
        phone, _status, _html = _log_in(member.user.email)
        assert _signed_in(laptop) and _signed_in(phone)
        phone_cookie = _cookie(phone)
        cut_off.kill()
        phone.post(LOGOUT)
        _reconnect(cut_off, as_another_process=True)
        assert _signed_in(laptop)
        assert not _signed_in(phone, phone_cookie)

    def test_a_password_change_ends_the_other_sessions(self, redis_server, cut_off, member):
        laptop, _status, _html = _log_in(member.user.email)
        phone, _status, _html = _log_in(member.user.email)
        assert _signed_in(laptop) and _signed_in(phone)
        cut_off.kill()
        response = laptop.post("/accounts/password/change/", {
            "oldpassword": PASSWORD, "password1": "a new and long passphrase",
            "password2": "a new and long passphrase",
        })
        assert response.status_code == 302
        _reconnect(cut_off, as_another_process=True)
        assert _signed_in(laptop)
        assert not _signed_in(phone)

    def test_a_revoked_api_token_stays_revoked(self, redis_server, cut_off, member):
        token, key = issue_api_token(user=member.user)
        browser, _status, _html = _log_in(member.user.email)
        api = Client(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/me/").status_code == 200
        cut_off.kill()
        assert browser.post("/me/tokens/", {"token": str(token.public_id)}).status_code == 302
        _reconnect(cut_off, as_another_process=True)
        assert api.get("/api/v1/me/").status_code == 401
        assert not ApiToken.objects.filter(pk=token.pk).exists()


def _reconnect_breakers_only() -> None:
    from chapterhouse.lib import cache as lib_cache

    lib_cache._breakers.clear()
