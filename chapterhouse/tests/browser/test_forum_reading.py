"""Forums that say what is new, in a real Chromium at 360 px, with and without
JavaScript: the forum list says "N posts, N new", its link jumps to the first unread
post on the right page, reading marks it read (the list then says nothing is new),
a preview shows before posting, and watching a thread is a button."""

import re

import pytest
from playwright.sync_api import expect

from chapterhouse.discussions import services
from chapterhouse.discussions.models import Level, ThreadRead
from chapterhouse.members.tests.factories import make_member
from chapterhouse.tests.browser.conftest import log_in

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

FORUM = "/forums/gb/eng/london/hackney/"


@pytest.fixture
def people(db):
    return {
        "ada": make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                           email="ada@example.org"),
        "nell": make_member("Nell Neighbour", city="London", neighbourhood="Hackney",
                            email="nell@example.org"),
    }


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide at 360 px"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_unread_counts_jump_to_the_first_unread_post_and_reading_marks_it_read(
        browser, live_server, people, javascript):
    ada, nell = people["ada"], people["nell"]
    thread = services.start_thread(chapter=nell.home_chapter, author=nell,
                                   title="Allotment rota", body="Who waters on Mondays?")
    for index in range(59):
        services.reply(thread=thread, author=nell, body=f"Week {index + 1}: me")
    posts = list(thread.posts.order_by("pk"))
    services.mark_read(member=ada, thread=thread, post=posts[51])  # read 52 of 60

    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 360, "height": 740},
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    name = "js" if javascript else "nojs"
    try:
        log_in(page, "ada@example.org")
        page.goto(FORUM)
        row = page.locator("table.threads tr", has_text="Allotment rota")
        assert re.sub(r"\s+", " ", row.locator("td.count").inner_text()) == "60 posts, 8 new"
        assert "8 new" in page.locator(".chapter-nav").inner_text()  # the forum's tab
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"forum-unread-{name}.png"), full_page=True)

        row.get_by_role("link", name="8 new").click()
        page.wait_for_load_state()
        first_unread = posts[52]
        assert page.url.endswith(f"?page=2#post-{first_unread.public_id}")
        target = page.locator(f"#post-{first_unread.public_id}")
        assert "Week 52: me" in target.inner_text()
        assert "new" in target.locator(".badge.new").inner_text()
        # The anchor brought the first unread post into view.
        box = target.bounding_box()
        assert box is not None and -2 <= box["y"] < 740
        assert page.locator("#first-unread").count() == 1
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"thread-first-unread-{name}.png"))
        if javascript:
            # Scrolled into view, posts are reported read (the endpoint) and lose
            # their highlight.
            with page.expect_request(lambda request: request.method == "POST"
                                     and request.url.endswith("/read/")) as sent:
                page.locator(f"#post-{posts[-1].public_id}").scroll_into_view_if_needed()
            assert sent.value.post_data == f"post={posts[-1].public_id}"
            expect(page.locator("li.post.unread")).to_have_count(0)

        assert ThreadRead.objects.get(member=ada, thread=thread).last_read_post_id == \
            posts[-1].pk
        page.goto(FORUM)
        row = page.locator("table.threads tr", has_text="Allotment rota")
        assert re.sub(r"\s+", " ", row.locator("td.count").inner_text()) == "60 posts"
        assert "new" not in page.locator(".chapter-nav").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_member_previews_a_reply_and_watches_the_thread(browser, live_server, people,
                                                          javascript):
    nell = people["nell"]
    thread = services.start_thread(chapter=nell.home_chapter, author=nell,
                                   title="Seed swap", body="Bring seeds.")
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 360, "height": 740},
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []

    def refuse(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    try:
        log_in(page, "ada@example.org")
        page.goto(thread.get_absolute_url())
        if javascript:
            page.evaluate("window.stillHere = true")
        box = page.locator(".reply-form textarea[name=body]")
        box.fill("**Tomatoes** <img src=x onerror=alert(1)>")
        page.locator(".reply-form").get_by_role("button", name="Preview").click()
        preview = page.locator(".post-preview .post-body")
        preview.wait_for()
        assert preview.locator("strong").inner_text() == "Tomatoes"
        assert page.locator(".reply-form textarea[name=body]").input_value().startswith(
            "**Tomatoes**")
        if javascript:
            assert page.evaluate("window.stillHere") is True  # shown in place
        assert thread.posts.count() == 1 and dialogs == []
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"reply-preview-{'js' if javascript else 'nojs'}.png"),
                        full_page=True)

        page.goto(thread.get_absolute_url())
        page.locator(".levels").get_by_role("button", name="Watch").click()
        page.wait_for_load_state()
        assert page.locator(".levels button[value=watching]").get_attribute(
            "aria-pressed") == "true"
        assert ThreadRead.objects.get(member=people["ada"], thread=thread).level == \
            Level.WATCHING
    finally:
        context.close()
