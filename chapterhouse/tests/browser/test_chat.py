"""Chat in a real Chromium over a real WebSocket (uvicorn, Channels): one member writes
and another sees it appear live; without JavaScript at 360 px the room still shows its
history and takes a message by form."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from chapterhouse.chat import services
from chapterhouse.chat.models import Message
from chapterhouse.members.tests.factories import make_member
from chapterhouse.tests.browser.conftest import log_in

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(db):
    return {
        "ada": make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                           email="ada@example.org"),
        "nell": make_member("Nell Neighbour", city="London", neighbourhood="Hackney",
                            email="nell@example.org"),
    }


def outside_the_loop(function, *args, **kwargs):
    """Run a service in another thread: Playwright's event loop runs in this one, and a
    service's broadcast after commit (lib.realtime) must not run inside it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def open_page(browser, server, **options):
    context = browser.new_context(base_url=server.url, locale="en-GB", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


def test_a_message_appears_live_in_another_members_browser(browser, asgi_live_server, people):
    room = services.chapter_room(chapter=people["ada"].home_chapter)
    outside_the_loop(services.post_message, room=room, author=people["nell"],
                     text="Earlier, before anyone came")
    ada_context, ada, ada_errors = open_page(browser, asgi_live_server)
    nell_context, nell, nell_errors = open_page(browser, asgi_live_server)
    try:
        log_in(ada, "ada@example.org")
        log_in(nell, "nell@example.org")
        ada.goto("/chat/")
        assert "1 unread message" in ada.locator(".chat-rooms").first.inner_html()
        ada.screenshot(path=str(ARTIFACTS / "chat-index.png"), full_page=True)
        ada.get_by_role("link", name="Hackney").click()
        nell.goto(room.get_absolute_url())
        nell.evaluate("window.stillHere = true")
        # Both sockets open (chat.js marks the log when it connects).
        for page in (ada, nell):
            page.wait_for_selector("#chat-log[data-connected='1']", state="attached")

        ada.fill("#chat-form textarea", "Hello **Nell**, the garden at 3?")
        ada.locator("#chat-form textarea").press("Enter")
        live = nell.locator("#chat-log li.chat-message", has_text="the garden at 3?")
        live.wait_for()
        assert live.locator("strong").inner_text() == "Nell"
        assert nell.evaluate("window.stillHere") is True  # no reload: it came by socket
        stored = Message.objects.get(body="Hello **Nell**, the garden at 3?")
        assert live.get_attribute("id") == f"m{stored.pk}"
        # And back the other way, by the Send button.
        nell.fill("#chat-form textarea", "Yes! <script>alert(1)</script>")
        nell.get_by_role("button", name="Send").click()
        back = ada.locator("#chat-log li.chat-message", has_text="Yes!")
        back.wait_for()
        assert ada.locator("#chat-log script").count() == 0
        # Each sees each message once, in order.
        texts = ada.locator("#chat-log li.chat-message .chat-body").all_inner_texts()
        # (the script element is removed by the sanitiser, its text with it)
        assert texts == ["Earlier, before anyone came", "Hello Nell, the garden at 3?", "Yes!"]
        ada.screenshot(path=str(ARTIFACTS / "chat-live-ada.png"), full_page=True)
        nell.screenshot(path=str(ARTIFACTS / "chat-live-nell.png"), full_page=True)
        assert not ada_errors and not nell_errors, (ada_errors, nell_errors)
    finally:
        ada_context.close()
        nell_context.close()


def test_posting_without_javascript_at_360px(browser, asgi_live_server, people):
    room = services.chapter_room(chapter=people["ada"].home_chapter)
    for index in range(55):
        outside_the_loop(services.post_message, room=room, author=people["nell"],
                         text=f"Message {index + 1}")
    context, page, _errors = open_page(browser, asgi_live_server, java_script_enabled=False,
                                       viewport={"width": 360, "height": 740})
    try:
        log_in(page, "ada@example.org")
        page.goto(room.get_absolute_url())
        assert page.locator("#chat-log li.chat-message").count() == 50
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("link", name="Older messages").click()
        page.wait_for_load_state()
        assert page.locator("#chat-log li.chat-message").count() == 5
        page.get_by_role("link", name="Latest messages").click()
        page.wait_for_load_state()
        page.fill("#chat-form textarea", "Sent without any script")
        page.get_by_role("button", name="Send").click()
        page.wait_for_load_state()
        last = page.locator("#chat-log li.chat-message").last
        assert "Sent without any script" in last.inner_text()
        page.get_by_role("button", name="Send").click()  # empty
        page.wait_for_load_state()
        assert "Write a message." in page.locator("#chat-form").inner_text()
        assert Message.objects.filter(author=people["ada"]).count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(ARTIFACTS / "chat-nojs-360.png"), full_page=False)
    finally:
        context.close()

