"""Private messages in a real Chromium: one member writes (choosing the recipient with
the one autocomplete), the other sees the conversation with its unread count after a
reload; and on a 360 px phone without JavaScript a member reads and replies."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.conversations import services
from chapterhouse.conversations.models import Conversation, Message
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.tests.browser.conftest import log_in

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 360


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 300), (40, 90, 160)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def people(db):
    found = {
        "ada": make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                           email="ada@example.org"),
        "bob": make_member("Bob Babbage", city="London", neighbourhood="Hackney",
                           email="bob@example.org"),
    }
    Member.objects.update(joined_at=timezone.now() - timedelta(days=30))
    return found


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"messages-{name}.png"), full_page=True)


def test_a_member_writes_and_the_other_sees_it_unread_after_a_reload(browser, live_server,
                                                                     people):
    contexts = [browser.new_context(base_url=live_server.url, locale="en-GB")
                for _ in range(2)]
    ada, bob = (context.new_page() for context in contexts)
    for page in (ada, bob):
        page.set_default_timeout(15_000)
    errors: list[str] = []
    ada.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        log_in(ada, "ada@example.org")
        log_in(bob, "bob@example.org")
        bob.goto("/messages/")
        assert bob.locator("a.messages-link .badge").count() == 0

        ada.goto("/messages/")
        ada.get_by_role("link", name="New message").click()
        ada.fill("input[name=subject]", "Analytical engine")
        box = ada.locator("#id_to_0")
        box.click()
        box.type("Bob B")
        option = ada.locator("ul.suggestions [data-suggestion]").first
        option.wait_for()
        assert option.inner_text().startswith("Bob Babbage")
        option.click()
        assert box.input_value() == "Bob Babbage"
        assert ada.locator("#id_to_0_id").input_value() == str(people["bob"].public_id)
        ada.fill("textarea[name=body]", "Shall we meet **on Tuesday**?\n\n- notes\n- cards")
        shot(ada, "new")
        ada.get_by_role("button", name="Send").click()
        ada.wait_for_selector("text=Your message was sent.")
        assert ada.locator("h1").inner_text() == "Analytical engine"
        assert ada.locator(".post-body strong").inner_text() == "on Tuesday"
        assert errors == []

        # Bob reloads: the header counts one unread message, the list shows it.
        bob.reload()
        badge = bob.locator("a.messages-link .badge")
        assert badge.inner_text() == "1"
        row = bob.locator("li.conversation")
        assert "Ada Lovelace" in row.inner_text() and "Analytical engine" in row.inner_text()
        assert row.locator(".unread-count").inner_text() == "1 unread"
        shot(bob, "list-unread")
        notice = Notification.objects.get(recipient=people["bob"], kind=Kind.PRIVATE_MESSAGE)
        assert notice.url == Conversation.objects.get().get_absolute_url()

        row.locator("a.conversation-link").click()
        bob.wait_for_selector(".post-body strong")
        assert bob.locator("li.post.unread .badge.new").count() == 1
        shot(bob, "conversation")
        bob.reload()
        assert bob.locator("a.messages-link .badge").count() == 0  # read now
        assert bob.locator("li.post.unread").count() == 0
    finally:
        for context in contexts:
            context.close()


def test_on_a_phone_without_javascript_a_member_reads_quotes_and_replies(browser, live_server,
                                                                          people, monkeypatch):
    # This thread runs Playwright's event loop, where the push after commit (async_to_sync)
    # cannot run; the pages' own pushes run in the live server's thread as usual.
    monkeypatch.setattr(services, "broadcast", lambda group, event: False)
    services.start_conversation(
        author=people["ada"], recipients=[people["bob"]], subject="Punch cards",
        body="A rather long first line that should wrap nicely on a small screen, "
             "with a link https://example.org/a/very/long/path/that/does/not/break/easily",
        image=io.BytesIO(png()))
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  java_script_enabled=False,
                                  viewport={"width": WIDTH, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, "bob@example.org")
        page.goto("/messages/")
        shot(page, "phone-list")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.locator("a.conversation-link").click()
        page.wait_for_load_state()
        image = page.locator(".message-image img")
        assert image.evaluate("i => i.naturalWidth") == 600  # served to a participant
        assert image.evaluate("i => i.getBoundingClientRect().right") <= WIDTH
        page.get_by_role("link", name="Quote").first.click()
        page.wait_for_load_state()
        body = page.locator("textarea[name=body]")
        assert body.input_value().startswith("Ada Lovelace wrote:\n> A rather long")
        body.fill(body.input_value() + "Indeed.")
        page.get_by_role("button", name="Send").click()
        page.wait_for_load_state()
        assert "Your message was sent." in page.locator(".messages").inner_text()
        assert page.locator("li.post blockquote").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        shot(page, "phone-conversation")
        reply = Message.objects.latest("id")
        assert reply.author == people["bob"] and reply.body.endswith("Indeed.")

        # The new-message form works without JavaScript: the name typed in full.
        page.goto("/messages/new/")
        page.fill("#id_to_0", "Ada Lovelace")
        page.fill("textarea[name=body]", "")
        page.get_by_role("button", name="Send").click()
        page.wait_for_load_state()
        assert "Write a message first" in page.locator("main").inner_text()
        shot(page, "phone-new-error")
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        page.fill("textarea[name=body]", "And another thing.")
        page.get_by_role("button", name="Send").click()
        page.wait_for_load_state()
        assert Conversation.objects.count() == 2
    finally:
        context.close()
