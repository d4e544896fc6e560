"""allauth's pages render inside our layout (base.html), for visitors and members."""

import pytest
from django.test import Client

from chapterhouse.members.tests.factories import PASSWORD

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
]
MEMBER_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
]


def _assert_our_layout(html: str) -> None:
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html
    assert html.count("<html") == 1
    # Nothing inline for the CSP to block.
    assert " style=" not in html
    assert " onclick=" not in html


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_visitor_pages_use_our_layout(client, gazetteer, url):
    response = client.get(url)
    assert response.status_code == 200
    _assert_our_layout(response.content.decode())


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_member_pages_use_our_layout_with_the_account_menu(member, url):
    browser = Client()
    browser.post("/accounts/login/", {"login": member.user.email, "password": PASSWORD})
    response = browser.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    _assert_our_layout(html)
    if url not in {"/accounts/logout/", "/accounts/reauthenticate/"}:
        assert 'class="account-nav"' in html
        assert 'href="/me/edit/"' in html


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_member_pages_send_visitors_to_log_in(client, db, url):
    response = client.get(url)
    if url == "/accounts/logout/":
        # Logging out when not logged in just goes home.
        assert response.status_code == 302
        return
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_page_title_comes_from_allauth(client, db):
    html = client.get("/accounts/login/").content.decode()
    title = html[html.index("<title>"):html.index("</title>")]
    assert "Sign In" in title and "Chapterhouse" in title


def test_pages_send_a_csp_without_unsafe_inline(client, db):
    response = client.get("/accounts/signup/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
