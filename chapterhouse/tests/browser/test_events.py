"""Chapter events in a real Chromium at 360 px without JavaScript: a facilitator
creates an event with the plain form, a second member answers "going", nothing
scrolls sideways, and the map lists the event. Screenshots in test-artifacts/events/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.events.models import Event, Rsvp
from chapterhouse.members.tests.factories import make_member

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = "/events/gb/eng/london/hackney/"
SHOTS = ARTIFACTS / "events"
PHONE = {"width": 360, "height": 740}


def phone(browser, live_server):
    return browser.new_context(base_url=live_server.url, java_script_enabled=False,
                               viewport=PHONE, is_mobile=True, locale="en-GB")


def test_a_facilitator_creates_an_event_and_a_member_answers_going(browser, live_server, db):
    fay = make_member("Fay Facilitator", city="London", neighbourhood="Hackney",
                      email="fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    make_member("Ada Lovelace", city="London", neighbourhood="Hackney", email="ada@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)
    start = (timezone.now() + timedelta(days=3)).replace(hour=18, minute=0)

    writer = phone(browser, live_server)
    tab = writer.new_page()
    log_in(tab, "fay@example.org")
    tab.goto(EVENTS)
    tab.get_by_role("link", name="Create an event").click()
    tab.fill("input[name=title]", "Street picnic")
    tab.fill("textarea[name=description]", "Bring **bread**.")
    tab.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    tab.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    tab.fill("input[name=time_zone]", "Europe/London")
    tab.fill("input[name=address]", "Hackney Marshes")
    tab.fill("input[name=latitude]", "51.55")
    tab.fill("input[name=longitude]", "-0.03")
    tab.fill("input[name=capacity]", "20")
    tab.screenshot(path=str(SHOTS / "form-360.png"), full_page=True)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    assert "The event is created" in tab.locator("body").inner_text()
    event = Event.objects.get()
    assert event.title == "Street picnic" and event.capacity == 20
    writer.close()

    reader = phone(browser, live_server)
    page = reader.new_page()
    log_in(page, "ada@example.org")
    page.goto(EVENTS)
    page.get_by_role("link", name="Street picnic").click()
    page.wait_for_load_state()
    assert "bread" in page.locator("main").inner_text()
    page.get_by_role("button", name="Going", exact=True).click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "Your answer: Going" in text and "Going: 1" in text
    assert Rsvp.objects.get().member.display_name == "Ada Lovelace"
    page.screenshot(path=str(SHOTS / "detail-360.png"), full_page=True)
    url = page.url
    reader.close()

    # The same page with scripts on, only to measure it: nothing scrolls sideways.
    measure = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    check = measure.new_page()
    log_in(check, "ada@example.org")
    for address in (url, EVENTS, "/events/mine/"):
        check.goto(address)
        assert check.evaluate("document.documentElement.scrollWidth") <= 360, address
    check.goto(EVENTS)
    check.screenshot(path=str(SHOTS / "list-360.png"), full_page=True)
    # The map shows it in its events layer and lists it under the map.
    check.goto("/map/")
    listed = check.locator("[data-map-events] li")
    listed.first.wait_for()
    assert "Street picnic" in listed.first.inner_text()
    assert check.locator("#map").get_attribute("data-events") == "1"
    check.screenshot(path=str(SHOTS / "map-360.png"), full_page=True)
    measure.close()
