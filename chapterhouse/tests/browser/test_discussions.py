"""Discussions in a real Chromium: start a thread, mention, reply in place, quote,
and hostile posts that run nothing; replying works without JavaScript too."""

import pytest

from chapterhouse.discussions import services
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.tests.browser.conftest import log_in

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


def test_members_start_a_thread_mention_reply_in_place_and_quote(page, people):
    log_in(page, "nell@example.org")
    page.goto(FORUM)
    page.fill("input[name=title]", "Saturday picnic")
    page.fill("#new-thread textarea[name=body]", "Who brings the bread?")
    page.get_by_role("button", name="Start the thread").click()
    page.wait_for_selector("h1:has-text('Saturday picnic')")
    thread = Thread.objects.get(title="Saturday picnic")

    # Replying in place: the page is not reloaded (the marker survives).
    page.evaluate("window.stillHere = true")
    box = page.locator(".reply-form textarea[name=body]")
    box.click()
    box.type("I will, and @Ada Lo")  # a space does not end the name
    option = page.locator("[data-mention-token]").first
    option.wait_for()
    assert "Ada Lovelace" in option.inner_text()
    option.click()
    assert f"@[Ada Lovelace](member:{people['ada'].public_id})" in box.input_value()
    box.press("End")
    box.type("will bring cheese.")
    page.locator(".reply-form button[type=submit]:not([name=preview])").click()
    mention = page.locator("ol.posts li.post").nth(1).locator("a.mention")
    mention.wait_for()
    assert mention.inner_text() == "@Ada Lovelace"
    assert page.evaluate("window.stillHere") is True
    assert box.input_value() == ""  # a fresh form
    assert page.locator(f"#discussion-{thread.public_id}-heading").inner_text() == "2 posts"
    assert Notification.objects.filter(recipient=people["ada"], kind=Kind.MENTION).count() == 1

    # Quoting fills the form in place with the attributed quote.
    page.locator("ol.posts li.post").first.get_by_role("link", name="Quote").click()
    page.wait_for_selector(".reply-form h3:has-text('Reply to Nell Neighbour')")
    quoted = page.locator(".reply-form textarea[name=body]").input_value()
    assert quoted.startswith("> [Nell Neighbour](/discussions/posts/")
    assert "> Who brings the bread?" in quoted
    page.locator(".reply-form textarea[name=body]").type("Bread, then.")
    page.locator(".reply-form button[type=submit]:not([name=preview])").click()
    page.locator("ol.posts li.post").nth(2).locator("blockquote").wait_for()
    assert Post.objects.filter(thread=thread).count() == 3
    assert Post.objects.get(body__endswith="Bread, then.").reply_to is not None
    assert page.evaluate("window.stillHere") is True
    assert page.csp_errors == []


def test_an_empty_reply_shows_the_error_in_place(page, people):
    thread = services.start_thread(chapter=people["ada"].home_chapter, author=people["ada"],
                                   title="Rota", body="Who cleans?")
    log_in(page, "nell@example.org")
    page.goto(thread.get_absolute_url())
    page.locator(".reply-form button[type=submit]:not([name=preview])").click()
    page.wait_for_selector(".reply-form .errorlist")
    assert "Write a message." in page.locator(".reply-form .errorlist").inner_text()
    assert thread.posts.count() == 1


def test_a_reply_works_without_javascript(browser, live_server, people):
    thread = services.start_thread(chapter=people["ada"].home_chapter, author=people["ada"],
                                   title="Rota", body="Who cleans?")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    log_in(tab, "nell@example.org")
    tab.goto(thread.get_absolute_url())
    tab.get_by_role("link", name="Quote").click()
    tab.wait_for_url("**/reply/?quote=*")
    tab.locator("textarea[name=body]").press("Control+End")
    tab.locator("textarea[name=body]").type("\nMe, on Monday.")
    tab.locator("main form.reply-form button[type=submit]:not([name=preview])").click()
    tab.wait_for_url(f"**{thread.get_absolute_url()}#post-*")
    assert "Me, on Monday." in tab.locator("ol.posts").inner_text()
    assert tab.locator("ol.posts blockquote a").count() == 1
    context.close()


def test_a_hostile_post_runs_nothing(page, people):
    thread = services.start_thread(
        chapter=people["ada"].home_chapter, author=people["ada"], title="Hostile",
        body=("<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
              "[x](javascript:alert(3))\n\n<svg onload=alert(4)></svg>"),
    )
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    page.goto(thread.get_absolute_url())
    body = page.locator("ol.posts .post-body").first
    assert body.locator("script, img, svg, [onerror], [onload]").count() == 0
    link = body.locator("a")
    assert link.get_attribute("href") is None
    link.click()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.csp_errors == []
