"""Search on a phone (360 px): the header's box finds a post, an event and a member
whose name is in another script, indexed by the tasks after each commit (no rebuild);
the header's form works without JavaScript. Screenshots in test-artifacts/search/."""

import pytest

from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.events.tests.factories import make_event
from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "search"
PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def search_from_the_header(tab, text: str) -> str:
    box = tab.get_by_role("search").first.get_by_label("Search")
    box.fill(text)
    box.press("Enter")
    tab.wait_for_load_state()
    return tab.locator("main").inner_text()


def test_the_header_box_finds_a_post_an_event_and_a_member_on_a_phone(browser, live_server):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    make_thread(ada, title="Quokka sightings", body="One by the canal this morning.")
    make_event(author=ada, title="Quokka walk", description="Along the canal.")
    layla = make_member("ليلى حسن", city="London", neighbourhood="Hackney")
    layla.profile_visibility = Visibility.MEMBERS
    layla.save()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True,
                                  locale="en-GB")
    tab = context.new_page()
    log_in(tab, "ada@example.org")
    tab.goto("/c/")
    no_sideways_scroll(tab)

    found = search_from_the_header(tab, "quokka")
    assert "/search/?q=quokka" in tab.url
    assert "Quokka sightings" in found and "Quokka walk" in found
    assert "2 results" in found
    assert tab.locator("mark").first.inner_text().lower() == "quokka"
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "results-360.png"), full_page=True)

    found = search_from_the_header(tab, "ليلى")
    assert "ليلى حسن" in found and "1 result" in found
    tab.get_by_role("link", name="ليلى حسن").click()
    tab.wait_for_load_state()
    assert f"/members/{layla.public_id}" in tab.url or "ليلى حسن" in tab.title()
    no_sideways_scroll(tab)

    # Only the post's kind, from the counts beside the results.
    search_from_the_header(tab, "quokka")
    tab.get_by_role("link", name="Events").click()
    tab.wait_for_load_state()
    assert "kind=event" in tab.url
    assert tab.locator("li.search-result").count() == 1
    context.close()


def test_the_header_form_works_without_javascript(browser, live_server):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney")
    make_event(author=ada, title="Quokka walk", description="Along the canal.")
    make_event(author=ada, title="Quokka supper", is_public=False)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    tab = context.new_page()
    tab.goto("/c/")
    found = search_from_the_header(tab, "QUÔKKA")
    assert "Quokka walk" in found and "Quokka supper" not in found
    assert "1 result" in found
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "no-js-360.png"), full_page=True)
    # A query too long: the error in the form, nothing broken.
    tab.goto("/search/?q=" + "a" * 300)
    assert "at most 200 characters" in tab.locator("main").inner_text()
    context.close()
