"""The optional TOTP second factor (allauth.mfa at /accounts/2fa/)."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client

from chapterhouse.members.tests.factories import PASSWORD


def _code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def _logged_in(member) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": member.user.email,
                                                 "password": PASSWORD})
    assert response.status_code == 302
    return browser


def test_the_two_factor_page_uses_our_layout(member):
    response = _logged_in(member).get("/accounts/2fa/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert 'class="account-nav"' in html
    assert "/accounts/2fa/totp/activate/" in html


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_member_can_turn_on_totp_and_then_needs_it_to_log_in(member, settings):
    # A used code cannot be used again; accepting the next period's code lets the
    # test log in at once instead of waiting 30 seconds.
    settings.MFA_TOTP_TOLERANCE = 1
    browser = _logged_in(member)
    # Turning it on asks for the password again first.
    page = browser.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/reauthenticate/")
    assert b'class="site-header"' in browser.get(page["Location"]).content
    browser.post(page["Location"], {"password": PASSWORD})
    page = browser.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert b'class="site-header"' in page.content
    secret = browser.session[SECRET_SESSION_KEY]

    wrong = browser.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=member.user).exists()

    response = browser.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=member.user, type=Authenticator.Type.TOTP).exists()

    browser.post("/accounts/logout/")
    response = browser.post("/accounts/login/", {"login": member.user.email,
                                                 "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in browser.session

    response = browser.post("/accounts/2fa/authenticate/", {"code": _code(secret, 1)})
    assert response.status_code == 302
    assert response["Location"] == member.home_chapter.get_absolute_url()
    assert "_auth_user_id" in browser.session
