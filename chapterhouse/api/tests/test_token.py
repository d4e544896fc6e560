"""POST /api/v1/auth/token/: email and password in, token out; throttled."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from chapterhouse.members.models import ApiToken as Token
from chapterhouse.members.services import issue_api_token
from chapterhouse.members.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
WRONG = {"non_field_errors": ["The email or password is not right."]}


def test_a_member_gets_a_token_and_uses_it(client, member):
    response = client.post(URL, {"email": member.user.email, "password": PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=member.user).digest == Token.digest_of(key)
    me = Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["display_name"] == "Ada Member"


def test_asking_again_gives_a_new_token_and_both_work(client, member):
    first = client.post(URL, {"email": member.user.email, "password": PASSWORD}).json()
    again = client.post(
        URL, {"email": member.user.email.upper(), "password": PASSWORD},
        content_type="application/json",
    ).json()
    assert first["token"] != again["token"]
    assert Token.objects.count() == 2
    for answer in (first, again):
        client = Client(HTTP_AUTHORIZATION=f"Token {answer['token']}")
        assert client.get("/api/v1/me/").status_code == 200


def test_json_works_too(client, member):
    response = client.post(
        URL, {"email": member.user.email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, member):
    wrong = client.post(URL, {"email": member.user.email, "password": "nope"})
    unknown = client.post(URL, {"email": "nobody@example.org", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json() == WRONG
    assert not Token.objects.exists()


def test_an_unverified_address_gets_no_token(client, member):
    EmailAddress.objects.filter(user=member.user).update(verified=False)
    response = client.post(URL, {"email": member.user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Verify your email address" in response.json()["non_field_errors"][0]
    assert not Token.objects.exists()


def test_a_deactivated_account_gets_no_token(client, member):
    member.user.is_active = False
    member.user.save()
    response = client.post(URL, {"email": member.user.email, "password": PASSWORD})
    assert response.json() == WRONG
    assert not Token.objects.exists()


def test_a_token_stops_working_when_the_account_is_deactivated(member):
    _token, key = issue_api_token(user=member.user)
    member.user.is_active = False
    member.user.save()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    ("data", "fields"),
    [({}, {"email", "password"}), ({"email": "not-an-email", "password": "x"}, {"email"})],
)
def test_missing_or_malformed_fields_are_clear_errors(client, data, fields):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert set(response.json()) == fields


def test_only_post_is_allowed(client, member_client):
    assert client.get(URL).status_code == 405
    assert member_client.get(URL).status_code == 405


def test_guessing_one_accounts_password_is_throttled(member):
    # From different addresses, so the per-address limit is not what stops it.
    for attempt in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{attempt}").post(
            URL, {"email": member.user.email, "password": f"guess {attempt}"}
        )
    response = Client(REMOTE_ADDR="10.0.0.99").post(
        URL, {"email": member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert not Token.objects.exists()


def test_many_attempts_from_one_address_are_throttled(client, member):
    for attempt in range(10):
        client.post(URL, {"email": f"someone{attempt}@example.org", "password": "x"})
    response = client.post(URL, {"email": member.user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert not Token.objects.exists()


@pytest.fixture
def totp_secret(member) -> str:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(member.user, secret)
    return secret


def _code(secret: str, offset: int = 0) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def test_an_account_with_two_factor_needs_its_code(client, member, totp_secret, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a code computed just before the period turns still counts
    credentials = {"email": member.user.email, "password": PASSWORD}
    for extra in [{}, {"code": ""}, {"code": "000000" if _code(totp_secret) != "000000"
                                     else "111111"}]:
        response = client.post(URL, {**credentials, **extra})
        assert response.status_code == 400
        assert set(response.json()) == {"code"}
    assert not Token.objects.exists()
    response = client.post(URL, {**credentials, "code": _code(totp_secret)})
    assert response.status_code == 200
    assert Token.objects.filter(user=member.user).exists()
