"""A chapter's blog in a real Chromium at 360 px: a facilitator writes a draft without
JavaScript, publishes it, a member comments (without JavaScript too); the chapter
page and the feed show it; hostile Markdown runs nothing; nothing scrolls sideways.
Screenshots in test-artifacts/blogs/."""

import xml.etree.ElementTree as ET

import pytest

from chapterhouse.blogs.models import BlogPost
from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.members.tests.factories import make_member

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "/c/gb/eng/london/hackney/"
BLOG = HACKNEY + "blog/"
SHOTS = ARTIFACTS / "blogs"
PHONE = {"width": 360, "height": 740}
ATOM = "{http://www.w3.org/2005/Atom}"


def phone(browser, live_server, *, javascript: bool):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    page.dialogs = dialogs
    return context, page


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_facilitator_publishes_a_post_and_a_member_comments(browser, live_server, db):
    fay = make_member("Fay Facilitator", city="London", neighbourhood="Hackney",
                      email="fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    make_member("Ada Lovelace", city="London", neighbourhood="Hackney", email="ada@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The facilitator, on a phone without JavaScript: a draft first.
    writer, tab = phone(browser, live_server, javascript=False)
    log_in(tab, "fay@example.org")
    tab.goto(HACKNEY)
    tab.locator("nav .chapter-nav").get_by_role("link", name="Blog").click()
    tab.wait_for_url(f"**{BLOG}")
    tab.get_by_role("link", name="Write a post").click()
    tab.fill("input[name=title]", "How we cleaned the canal")
    tab.fill("textarea[name=body]",
             "Forty of us, **two boats** and a lot of rubbish.\n\n- 120 bags\n- 3 bicycles\n\n"
             "<img src=x onerror=alert(1)> [click](javascript:alert(2))")
    tab.screenshot(path=str(SHOTS / "form-360.png"), full_page=True)
    no_sideways_scroll(tab)
    tab.get_by_role("button", name="Save as a draft").click()
    tab.wait_for_load_state()
    assert "Your draft is saved" in tab.locator("body").inner_text()
    post = BlogPost.objects.get()
    assert post.published_at is None
    tab.screenshot(path=str(SHOTS / "draft-360.png"), full_page=True)

    # The member cannot see the draft yet.
    reader, page = phone(browser, live_server, javascript=False)
    log_in(page, "ada@example.org")
    assert page.goto(post.get_absolute_url()).status == 404

    # Publish.
    tab.get_by_role("button", name="Publish").click()
    tab.wait_for_load_state()
    assert "Your post is published." in tab.locator("body").inner_text()
    no_sideways_scroll(tab)
    tab.goto(BLOG)
    assert "Who writes in this blog" in tab.locator("main").inner_text()  # a facilitator's
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "blog-360.png"), full_page=True)
    writer.close()

    # The member finds it on the chapter page and comments, without JavaScript.
    page.goto(HACKNEY)
    panel = page.locator("section.blog-panel")
    assert "How we cleaned the canal" in panel.inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "chapter-page-360.png"), full_page=True)
    panel.get_by_role("link", name="How we cleaned the canal").click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert main.locator("strong", has_text="two boats").count() == 1
    page.fill("#comments textarea[name=body]", "Brilliant work, see you next month!")
    page.locator("#comments").get_by_role("button", name="Post", exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(post.get_absolute_url()) or "#" in page.url
    assert "Brilliant work, see you next month!" in page.locator("#comments").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "comment-360.png"), full_page=True)
    assert page.dialogs == []
    reader.close()

    # With JavaScript on, the same page runs nothing of the hostile Markdown.
    _context, live = phone(browser, live_server, javascript=True)
    live.goto(post.get_absolute_url())
    assert "Brilliant work" in live.locator("#comments").inner_text()
    no_sideways_scroll(live)
    assert live.dialogs == []
    # And the feed carries it.
    response = live.request.get(BLOG + "feed/")
    feed = ET.fromstring(response.body())  # noqa: S314 - our own feed, in a test
    titles = [entry.findtext(ATOM + "title") for entry in feed.findall(ATOM + "entry")]
    assert titles == ["How we cleaned the canal"]
    _context.close()
