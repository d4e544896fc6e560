"""API tokens end: they expire, their owner revokes them, a new password or a new second
factor ends them (issue #13, item 13); /me/tokens/ lists and revokes them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chapterhouse.conftest import client_for
from chapterhouse.members.models import ApiToken
from chapterhouse.members.services import issue_api_token
from chapterhouse.members.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ME, TOKENS, TOKEN = "/api/v1/me/", "/me/tokens/", "/api/v1/auth/token/"


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _key_of(member) -> str:
    response = Client().post(TOKEN, {"email": member.user.email, "password": PASSWORD})
    assert response.status_code == 200
    return str(response.json()["token"])


def test_a_token_carries_an_expiry_and_stops_working_after_it(member, settings):
    settings.API_TOKEN_DAYS = 30
    response = Client().post(TOKEN, {"email": member.user.email, "password": PASSWORD})
    key = response.json()["token"]
    token = ApiToken.objects.get(user=member.user)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert response.json()["expires_at"] == token.expires_at.isoformat()
    assert _api(key).get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(key).get(ME).status_code == 401


def test_only_a_digest_of_the_key_is_stored(member):
    token, key = issue_api_token(user=member.user)
    assert key not in {token.digest, token.prefix, token.password_hash}
    assert token.digest == ApiToken.digest_of(key)


def test_changing_the_password_ends_the_tokens(member):
    key = _key_of(member)
    browser = client_for(member)
    response = browser.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": "a new and long passphrase",
        "password2": "a new and long passphrase",
    })
    assert response.status_code == 302
    assert _api(key).get(ME).status_code == 401
    assert not ApiToken.objects.filter(user=member.user).exists()


def test_resetting_the_password_ends_the_tokens(member, mailoutbox):
    import re

    key = _key_of(member)
    Client().post("/accounts/password/reset/", {"email": member.user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[-1].body)
    assert link is not None
    browser = Client()
    form = browser.get(link.group(1), follow=True)
    new = {"password1": "a new and long passphrase", "password2": "a new and long passphrase"}
    response = browser.post(form.redirect_chain[-1][0], new)
    assert response.status_code == 302
    assert _api(key).get(ME).status_code == 401


def test_a_password_set_any_other_way_ends_the_tokens_too(member):
    key = _key_of(member)
    member.user.set_password("set by an administrator")
    member.user.save()
    assert _api(key).get(ME).status_code == 401


def test_adding_a_second_factor_ends_the_tokens(member, django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    from chapterhouse.members.tests.test_two_factor import _code, _logged_in

    key = _key_of(member)
    browser = _logged_in(member)
    page = browser.get("/accounts/2fa/totp/activate/")
    browser.post(page["Location"], {"password": PASSWORD})  # asks for the password again
    browser.get("/accounts/2fa/totp/activate/")
    secret = browser.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        response = browser.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response.status_code == 302
    assert _api(key).get(ME).status_code == 401
    assert not ApiToken.objects.filter(user=member.user).exists()


def test_the_tokens_page_lists_a_members_live_tokens_and_nobody_elses(member, outsider):
    mine, _key = issue_api_token(user=member.user)
    theirs, _other = issue_api_token(user=outsider.user)
    page = client_for(member).get(TOKENS)
    assert page.status_code == 200
    html = page.content.decode()
    assert str(mine.public_id) in html and mine.prefix in html
    assert str(theirs.public_id) not in html


def test_a_member_revokes_a_token_with_a_plain_form(member):
    token, key = issue_api_token(user=member.user)
    browser = client_for(member)
    response = browser.post(TOKENS, {"token": str(token.public_id)})
    assert response.status_code == 302
    assert response["Location"] == TOKENS
    assert _api(key).get(ME).status_code == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("value", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_revoking_an_unknown_token_is_refused_with_a_message(member, value):
    response = client_for(member).post(TOKENS, {"token": value}, follow=True)
    assert "There is no such token." in response.content.decode()


def test_an_outsider_cannot_revoke_someone_elses_token(member, outsider):
    token, key = issue_api_token(user=member.user)
    client_for(outsider).post(TOKENS, {"token": str(token.public_id)})
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert _api(key).get(ME).status_code == 200


def test_the_tokens_page_is_for_signed_in_members(client):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(TOKENS, {"token": "x"}).status_code == 302
