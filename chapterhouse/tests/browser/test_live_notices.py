"""Notices in a real Chromium: a new notice shows in the header without a reload (over
the WebSocket of the ASGI server), and a digest email's unsubscribe link works."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Delivery, Kind
from chapterhouse.notifications.selectors import email_choices_for
from chapterhouse.notifications.services import gather_digests, notify, set_email_preferences
from chapterhouse.notifications.tests.factories import SAY, said
from chapterhouse.tests.browser.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ada(db):
    return make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                       email="ada@example.org")


@pytest.fixture
def asgi_page(browser, asgi_server, request):
    context = browser.new_context(base_url=asgi_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_a_new_notice_appears_in_the_header_and_the_list_without_a_reload(
        asgi_page, asgi_server, ada):
    page = asgi_page
    log_in(page, "ada@example.org")
    page.goto("/notifications/")
    before = ada.notifications.filter(read_at__isnull=True).count()
    # The socket is open once it has said the count.
    # (Locator waits: page.wait_for_function evaluates a string, which the CSP refuses.)
    expect(page.locator("html")).to_have_attribute("data-unread", re.compile(r"^\d+$"))
    page.evaluate("window.notReloaded = true")
    asgi_server.run(lambda: notify(recipients=[ada], kind=Kind.MEMBER_JOINED, message=SAY,
                                   params=said("Grace joined Hackney, live")))
    badge = page.locator("a.notices-link .badge")
    expect(page.locator("html")).to_have_attribute("data-unread", str(before + 1))
    assert badge.inner_text() == str(before + 1)
    assert page.locator("ul.notices li").first.inner_text().split() == [
        "new", "Grace", "joined", "Hackney,", "live"]
    assert page.evaluate("window.notReloaded") is True


def test_a_digest_email_is_sent_with_a_working_unsubscribe_link(asgi_page, asgi_server, ada):
    page = asgi_page
    set_email_preferences(member=ada, choices={"reply": "daily"})
    notify(recipients=[ada], kind=Kind.REPLY, message=SAY, params=said("Nell replied"))
    mail.outbox.clear()
    gather_digests()
    [email] = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    assert "Your daily digest: 1 notice" in email.subject and "Nell replied" in email.body
    found = re.search(r"http://\S+/notifications/unsubscribe/\S+/", str(email.body))
    assert found is not None
    link = found.group(0)
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    page.goto(link.replace("http://127.0.0.1:8000", asgi_server.url))  # no login needed
    assert "Someone replied to your post" in page.locator("main").inner_text()
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_load_state()
    assert "you will no longer get emails about" in page.locator("main").inner_text()
    assert email_choices_for(ada)[Kind.REPLY] == Delivery.OFF

