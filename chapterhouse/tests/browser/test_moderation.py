"""Moderation in a real Chromium at 360 px without JavaScript: a member reports a forum
post, a facilitator hides it from the chapter's moderation queue, its author sees the
reason in its place and appeals to the chapter above. Nothing scrolls sideways.
Screenshots in test-artifacts/moderation/."""

import pytest

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.members.tests.factories import make_member
from chapterhouse.moderation.models import Appeal, Hidden, Report

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = ARTIFACTS / "moderation"
PHONE = {"width": 360, "height": 740}


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    return context, context.new_page()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_member_reports_a_facilitator_hides_the_author_appeals(browser, live_server):
    ada = make_member("Ada Author", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    make_member("Nell Neighbour", city="London", neighbourhood="Hackney",
                email="nell@example.org")
    fay = make_member("Fay Facilitator", city="London", neighbourhood="Hackney",
                      email="fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    thread = make_thread(ada, title="The park", body="Everyone who disagrees is an idiot")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # A member reports the post, twice: it counts once.
    context, page = _phone(browser, live_server)
    log_in(page, "nell@example.org")
    for reason in ("Insulting", "Insulting the neighbours"):
        page.goto(thread.get_absolute_url())
        page.locator("li.post").get_by_role("link", name="Report").click()
        page.fill("textarea[name=reason]", reason)
        _fits(page)
        page.screenshot(path=str(SHOTS / "report-360.png"), full_page=True)
        page.get_by_role("button", name="Send the report").click()
        page.wait_for_load_state()
        assert "the facilitators will look at it" in page.locator("body").inner_text()
    assert Report.objects.count() == 1
    context.close()

    # The facilitator hides it from the queue, with a reason.
    context, page = _phone(browser, live_server)
    log_in(page, "fay@example.org")
    page.goto("/c/gb/eng/london/hackney/moderation/")
    queue = page.locator("main").inner_text()
    assert "Everyone who disagrees is an idiot" in queue
    assert "Insulting the neighbours" in queue
    _fits(page)
    page.screenshot(path=str(SHOTS / "queue-360.png"), full_page=True)
    page.get_by_role("link", name="Decide").click()
    page.fill("textarea[name=reason]", "Personal attacks are not welcome here")
    page.get_by_role("button", name="Hide it").click()
    page.wait_for_load_state()
    assert "its author is told" in page.locator("body").inner_text()
    assert Hidden.objects.get().is_current
    page.goto("/c/gb/eng/london/hackney/moderation/log/")
    log = page.locator("main").inner_text()
    assert "Personal attacks are not welcome here" in log
    assert "idiot" not in log
    _fits(page)
    page.screenshot(path=str(SHOTS / "log-360.png"), full_page=True)
    context.close()

    # Others see the reason in its place.
    context, page = _phone(browser, live_server)
    page.goto(thread.get_absolute_url())
    body = page.locator("main").inner_text()
    assert "Personal attacks are not welcome here" in body
    assert "idiot" not in body
    context.close()

    # The author sees it, with the reason, and appeals once.
    context, page = _phone(browser, live_server)
    log_in(page, "ada@example.org")
    page.goto(thread.get_absolute_url())
    post = page.locator("li.post")
    assert "Hidden by the facilitators" in post.inner_text()
    assert "idiot" in post.inner_text()
    _fits(page)
    page.screenshot(path=str(SHOTS / "author-sees-reason-360.png"), full_page=True)
    post.get_by_role("link", name="Appeal to the chapter above").click()
    page.fill("textarea[name=text]", "It was about ideas, not people")
    _fits(page)
    page.screenshot(path=str(SHOTS / "appeal-360.png"), full_page=True)
    page.get_by_role("button", name="Send the appeal").click()
    page.wait_for_load_state()
    assert "Your appeal is sent" in page.locator("body").inner_text()
    appeal_link = page.locator("li.post").get_by_role("link", name="Appeal to the chapter above")
    assert appeal_link.count() == 0
    appeal = Appeal.objects.get()
    assert appeal.chapter is not None and appeal.chapter.url_path == "gb/eng/london"
    context.close()
