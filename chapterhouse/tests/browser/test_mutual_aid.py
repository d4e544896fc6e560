"""Mutual aid in a real Chromium at 360 px: a member posts a request without
JavaScript; another member finds it on the board, replies privately, and lands in the
conversation that opened with the author. Nothing scrolls sideways. Screenshots in
test-artifacts/mutual-aid/."""

import pytest

from chapterhouse.conversations.models import Conversation
from chapterhouse.members.tests.factories import make_member
from chapterhouse.mutualaid.models import Entry

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "/c/gb/eng/london/hackney/"
BOARD = HACKNEY + "mutual-aid/"
SHOTS = ARTIFACTS / "mutual-aid"
PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_request_is_posted_and_answered_privately_on_a_phone(browser, live_server, db):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    make_member("Bob Brown", city="London", neighbourhood="Hackney", email="bob@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # Ada, on a phone without JavaScript: the plain form, first with a mistake.
    writer = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                 viewport=PHONE, is_mobile=True)
    tab = writer.new_page()
    log_in(tab, "ada@example.org")
    tab.goto(BOARD)
    no_sideways_scroll(tab)
    tab.get_by_role("link", name="Ask for something").click()
    tab.select_option("select[name=category]", "rides")
    tab.fill("input[name=title]", "A lift to the clinic on Tuesday")
    tab.fill("textarea[name=description]", "At **9 am**, back by noon.")
    tab.fill("input[name=expires_on]", "2020-01-01")
    tab.locator("main form button[type=submit]").click()
    assert "has passed" in tab.locator("main").inner_text()
    assert not Entry.objects.exists()
    tab.screenshot(path=str(SHOTS / "form-error-360.png"), full_page=True)
    no_sideways_scroll(tab)
    tab.fill("input[name=expires_on]", "")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    assert "Your entry is on the board." in tab.locator("body").inner_text()
    entry = Entry.objects.get()
    assert (entry.author, entry.kind, entry.category) == (ada, "request", "rides")
    tab.screenshot(path=str(SHOTS / "entry-author-360.png"), full_page=True)
    no_sideways_scroll(tab)
    writer.close()

    # Bob, on a phone with JavaScript: the board, the entry, the private reply.
    reader = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = reader.new_page()
    log_in(page, "bob@example.org")
    page.goto(BOARD)
    assert "A lift to the clinic on Tuesday" in page.locator("main").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "board-360.png"), full_page=True)
    page.get_by_role("link", name="A lift to the clinic on Tuesday").click()
    page.wait_for_load_state()
    assert page.locator(".markdown strong", has_text="9 am").count() == 1
    page.fill("textarea[name=body]", "I can drive you, Ada.")
    page.screenshot(path=str(SHOTS / "entry-reply-360.png"), full_page=True)
    no_sideways_scroll(page)
    page.get_by_role("button", name="Send and open the conversation").click()
    page.wait_for_url("**/messages/*/")
    conversation = Conversation.objects.get()
    assert page.url.endswith(conversation.get_absolute_url())
    text = page.locator("main").inner_text()
    assert "I can drive you, Ada." in text
    assert "A lift to the clinic on Tuesday" in text  # the subject
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "conversation-360.png"), full_page=True)
    reader.close()
