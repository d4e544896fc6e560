"""Following a chapter on another continent on a phone without JavaScript: the follow
button on its page, its decision in the member's feed (home and /activity/), the line
where what is new since the last visit ends, and the "what chapters are doing" page.
Nothing scrolls sideways. Screenshots in test-artifacts/activity/."""

import pytest

from chapterhouse.activity.tests.factories import past_decision
from chapterhouse.members.tests.factories import make_member

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SHOTS = ARTIFACTS / "activity"
PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_follow_a_chapter_and_see_its_decision_in_the_feed(browser, live_server, db):
    make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                email="ada@example.org")
    oscar = make_member("Oscar Osaka", city="Osaka", region=("JP-27", "Osaka"),
                        country=("JP", "Japan"))
    # Decided in Osaka; the activity is recorded by the task its commit enqueued.
    past_decision(oscar, title="Open a tool library")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    tab = context.new_page()
    log_in(tab, "ada@example.org")
    tab.goto("/activity/")
    assert "Open a tool library" not in tab.locator("main").inner_text()

    tab.goto(oscar.home_chapter.get_absolute_url())
    no_sideways_scroll(tab)
    tab.get_by_role("button", name="Follow this chapter").click()
    tab.wait_for_load_state()
    assert "You follow this chapter." in tab.locator("main").inner_text()
    tab.screenshot(path=str(SHOTS / "chapter-followed-360.png"), full_page=True)

    tab.goto("/")
    feed = tab.locator("section.activity-feed")
    assert "decided: Open a tool library" in feed.inner_text()
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "home-feed-360.png"), full_page=True)
    feed.get_by_role("link", name="decided: Open a tool library").click()
    tab.wait_for_load_state()
    assert "Open a tool library" in tab.locator("main").inner_text()

    tab.goto("/activity/following/")
    assert oscar.home_chapter.display_name() in tab.locator("main").inner_text()
    tab.goto("/activity/chapters/")
    assert "Open a tool library" in tab.locator("main").inner_text()
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "pulse-360.png"), full_page=True)
    context.close()
