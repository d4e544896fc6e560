"""A private message arrives with its live notice (issue #16): two members in two
browsers on the ASGI server; one writes from the new-message form, and the other's page,
open all along, counts the new notice and the unread message in its header without a
reload."""

import re

import pytest
from playwright.sync_api import expect

from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_private_message_arrives_with_its_live_notice(browser, asgi_server):
    make_member("Ada Lovelace", city="London", neighbourhood="Hackney", email="ada@example.org")
    bob = make_member("Bob Babbage", city="London", neighbourhood="Hackney",
                      email="bob@example.org")
    contexts = [browser.new_context(base_url=asgi_server.url, locale="en-GB")
                for _ in range(2)]
    ada_page, bob_page = (context.new_page() for context in contexts)
    try:
        for page, email in ((ada_page, "ada@example.org"), (bob_page, "bob@example.org")):
            page.set_default_timeout(15_000)
            log_in(page, email)
        bob_page.goto("/")
        # Bob's socket is open once it has said his unread count.
        expect(bob_page.locator("html")).to_have_attribute("data-unread",
                                                           re.compile(r"^\d+$"))
        before = int(bob_page.locator("html").get_attribute("data-unread") or 0)
        bob_page.evaluate("window.notReloaded = true")

        ada_page.goto(f"/messages/new/?to={bob.public_id}")
        ada_page.fill("input[name=subject]", "Analytical engine")
        ada_page.fill("textarea[name=body]", "Shall we meet on Tuesday?")
        ada_page.get_by_role("button", name="Send").click()
        ada_page.wait_for_selector("text=Your message was sent.")

        expect(bob_page.locator("html")).to_have_attribute("data-unread", str(before + 1))
        expect(bob_page.locator("a.notices-link .badge")).to_have_text(str(before + 1))
        expect(bob_page.locator("a.messages-link .badge")).to_have_text("1")
        assert bob_page.evaluate("window.notReloaded") is True
        assert Notification.objects.filter(recipient=bob, kind=Kind.PRIVATE_MESSAGE).count() == 1
        ARTIFACTS.mkdir(exist_ok=True)
        bob_page.screenshot(path=str(ARTIFACTS / "live-private-message.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()

