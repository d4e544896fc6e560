"""Throttles and login limits see the client's real address, and web and API logins
share one failure counter per account and per address (issue #13, item 12)."""

import pytest
from django.test import Client, RequestFactory, override_settings

from chapterhouse.lib.clientip import client_ip
from chapterhouse.members.models import ApiToken as Token
from chapterhouse.members.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"


def _request(remote: str, forwarded: str | None = None):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_a_forwarded_for_header_is_ignored_unless_behind_a_proxy():
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_only_the_address_it_appended_counts():
    # The client wrote "1.2.3.4"; our proxy appended the address it saw.
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.1", "not-an-address")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_outer_ones_entry_counts():
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"


def test_a_rotating_forwarded_for_does_not_lift_the_token_endpoints_limit(member):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for attempt in range(10):
        client.post(
            TOKEN, {"email": f"someone{attempt}@example.org", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )
    response = client.post(
        TOKEN, {"email": member.user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429
    assert not Token.objects.exists()


def test_a_rotating_forwarded_for_does_not_lift_the_anonymous_read_limit(settings):
    client = Client(REMOTE_ADDR="203.0.113.9")
    from rest_framework.throttling import AnonRateThrottle

    rate = str(AnonRateThrottle().get_rate())
    limit = int(rate.split("/")[0])
    statuses = [
        client.get("/api/v1/chapters/", HTTP_X_FORWARDED_FOR=f"198.51.{n // 250}.{n % 250}")
        .status_code
        for n in range(limit + 1)
    ]
    assert statuses[-1] == 429


def test_failed_web_logins_count_against_the_api_token_endpoint(member):
    for attempt in range(5):
        Client(REMOTE_ADDR=f"10.1.0.{attempt}").post(
            LOGIN, {"login": member.user.email, "password": f"guess {attempt}"}
        )
    response = Client(REMOTE_ADDR="10.1.0.99").post(
        TOKEN, {"email": member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert not Token.objects.exists()


def test_failed_api_token_requests_count_against_the_web_login(member):
    for attempt in range(5):
        Client(REMOTE_ADDR=f"10.2.0.{attempt}").post(
            TOKEN, {"email": member.user.email, "password": f"guess {attempt}"}
        )
    response = Client(REMOTE_ADDR="10.2.0.99").post(
        LOGIN, {"login": member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, not a redirect into the site
    assert "_auth_user_id" not in response.client.session
