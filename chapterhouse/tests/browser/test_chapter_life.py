"""The chapter-life journeys of issue #17 in a real Chromium, every page 360 px wide
(nothing scrolls sideways), some steps with JavaScript off. Screenshots in
test-artifacts/chapter-life/.

1. A facilitator creates a weekly event with one place; a member goes, a second is put
   on the waiting list, the first cancels, the second is let in (and told); the
   chapter's iCal feed carries the series with its rule.
2. A member posts a mutual-aid offer and marks it fulfilled: it leaves the board.
3. A chapter turns its mutual-aid section off by a "rules" decision voted in the
   browser: the navigation no longer names it and its board answers 404.

Publishing a blog post and reading its Atom feed is test_blogs.py's journey.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.decisions.models import Ballot
from chapterhouse.decisions.tests.factories import close, in_voting
from chapterhouse.events.models import Answer, Event, Rsvp
from chapterhouse.members.tests.factories import make_member
from chapterhouse.mutualaid.models import Entry
from chapterhouse.notifications.models import Kind, Notification

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "gb/eng/london/hackney/"
EVENTS = "/events/" + HACKNEY
BOARD = "/c/" + HACKNEY + "mutual-aid/"
SHOTS = ARTIFACTS / "chapter-life"
WIDTH = 360
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def phone(browser, live_server):
    """phone(email, javascript=True): a logged-in page on a 360 px phone."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    contexts = []

    def open_phone(email: str, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", java_script_enabled=javascript,
            viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, email)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def fits(page) -> None:
    """Nothing scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def hackney_member(name: str, email: str):
    return make_member(name, city="London", neighbourhood="Hackney", email=email)


def test_a_weekly_event_fills_its_waiting_list_promotes_and_is_in_the_ical_feed(phone):
    fay = hackney_member("Fay Facilitator", "fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    hackney_member("Ada Lovelace", "ada@example.org")
    bob = hackney_member("Bob Brown", "bob@example.org")
    day = (timezone.now() + timedelta(days=3)).astimezone(LONDON).date()
    starts = datetime(day.year, day.month, day.day, 18, 30, tzinfo=LONDON)

    # Fay, without JavaScript: the plain form, with a weekly rule and one place.
    fays = phone("fay@example.org", javascript=False)
    fays.goto(EVENTS)
    fits(fays)
    fays.get_by_role("link", name="Create an event").click()
    fays.fill("input[name=title]", "Reading circle")
    fays.fill("textarea[name=description]", "We read *together*.")
    fays.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    fays.fill("input[name=ends_at]", (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    fays.fill("input[name=time_zone]", "Europe/London")
    fays.fill("input[name=address]", "Hackney Library")
    fays.fill("input[name=capacity]", "1")
    # Chosen in words: every week on the start's weekday, four times.
    fays.select_option("select[name=repeat]", "weekly")
    fays.fill("input[name=repeat_count]", "4")
    fits(fays)
    shot(fays, "event-form")
    fays.locator("main form button[type=submit]").click()
    fays.wait_for_load_state()
    assert "The event is created" in fays.locator("body").inner_text()
    event = Event.objects.get()
    assert (event.capacity, event.recurrence) == (1, "FREQ=WEEKLY;COUNT=4")
    assert event.starts_at == starts
    text = fays.locator("main").inner_text()
    weekday = starts.strftime("%A")  # en-GB: the weekday's English name
    assert f"Repeats: Every week on {weekday}, 4 times in all" in text and "Next dates" in text
    fits(fays)
    shot(fays, "event-created")
    event_url = fays.url

    # Ada, with JavaScript, takes the one place of the first date.
    adas = phone("ada@example.org")
    adas.goto(EVENTS)
    adas.get_by_role("link", name="Reading circle").first.click()
    adas.wait_for_load_state()
    adas.get_by_role("button", name="Going", exact=True).click()
    adas.wait_for_load_state()
    assert "Your answer: Going" in adas.locator("#answers").inner_text()
    fits(adas)

    # Bob, without JavaScript, wants to go too: he is put on the waiting list.
    bobs = phone("bob@example.org", javascript=False)
    bobs.goto(event_url)
    bobs.get_by_role("button", name="Going", exact=True).click()
    bobs.wait_for_load_state()
    answers = bobs.locator("#answers").inner_text()
    assert "Your answer: On the waiting list (number 1 in line)" in answers
    assert "Going: 1 · Maybe: 0 · On the waiting list: 1" in answers
    fits(bobs)
    shot(bobs, "event-waiting-list")
    assert Rsvp.objects.get(member=bob).answer == Answer.WAITING

    # Ada cannot come after all: Bob is let in, and told.
    adas.get_by_role("button", name="Not going").click()
    adas.wait_for_load_state()
    assert "Your answer: Not going" in adas.locator("#answers").inner_text()
    bobs.reload()
    answers = bobs.locator("#answers").inner_text()
    assert "Your answer: Going" in answers and "waiting list (number" not in answers
    assert "Going: 1 · Maybe: 0 · On the waiting list: 0" in answers
    fits(bobs)
    shot(bobs, "event-promoted")
    assert Rsvp.objects.get(member=bob).answer == Answer.GOING
    notice = Notification.objects.get(recipient=bob, kind=Kind.EVENT_PLACE)
    assert notice.url.startswith(event.get_absolute_url())
    bobs.goto("/notifications/")
    assert "A place opened up: you are going to Reading circle" in \
        bobs.locator("main").inner_text()
    fits(bobs)
    shot(bobs, "event-place-notice")

    # The chapter's calendar feed, from the link on the events page.
    bobs.goto(EVENTS)
    feed = bobs.get_by_role("link", name="Calendar feed (iCal)").get_attribute("href")
    assert feed is not None
    response = bobs.request.get(feed)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    vevents = [c for c in calendar.walk("VEVENT") if str(c["summary"]) == "Reading circle"]
    assert len(vevents) == 1
    vevent = vevents[0]
    rule: Any = vevent["rrule"]
    assert (rule["FREQ"], rule["COUNT"]) == (["WEEKLY"], [4])
    dtstart = vevent.decoded("dtstart")
    assert dtstart == starts
    assert str(dtstart.tzinfo) == "Europe/London"  # the rule keeps its wall-clock time
    assert vevent.decoded("dtend") == starts + timedelta(hours=1)


def test_a_mutual_aid_offer_is_marked_fulfilled_and_leaves_the_board(phone):
    ada = hackney_member("Ada Lovelace", "ada@example.org")
    hackney_member("Bob Brown", "bob@example.org")

    adas = phone("ada@example.org", javascript=False)
    adas.goto(BOARD)
    adas.get_by_role("link", name="Offer something").click()
    adas.select_option("select[name=category]", "goods")
    adas.fill("input[name=title]", "A spare winter coat, size M")
    adas.fill("textarea[name=description]", "Warm and **clean**.")
    fits(adas)
    adas.locator("main form button[type=submit]").click()
    adas.wait_for_load_state()
    assert "Your entry is on the board." in adas.locator("body").inner_text()
    entry = Entry.objects.get()
    assert (entry.author, entry.kind, entry.category) == (ada, "offer", "goods")
    entry_url = adas.url

    bobs = phone("bob@example.org")
    bobs.goto(BOARD)
    assert "A spare winter coat, size M" in bobs.locator("main").inner_text()
    fits(bobs)
    shot(bobs, "aid-board-with-offer")

    adas.goto(entry_url)
    adas.get_by_role("button", name="Mark fulfilled").click()
    adas.wait_for_load_state()
    text = adas.locator("body").inner_text()
    assert "Marked fulfilled: it has left the board." in text
    fits(adas)
    shot(adas, "aid-fulfilled")
    entry.refresh_from_db()
    assert entry.status == "fulfilled"

    bobs.goto(BOARD)
    assert "A spare winter coat, size M" not in bobs.locator("main").inner_text()
    fits(bobs)
    shot(bobs, "aid-board-after")


def test_a_chapter_turns_its_mutual_aid_section_off_by_a_decision(phone):
    ada = hackney_member("Ada Lovelace", "ada@example.org")
    bob = hackney_member("Bob Brown", "bob@example.org")
    hackney_member("Fay Facilitator", "fay@example.org")
    proposal = in_voting(ada, category="rules", title="No mutual-aid board here",
                         text="Our street group does mutual aid; the board stays empty.",
                         payload={"section": "mutualaid", "shown": False})
    url = proposal.get_absolute_url()

    bobs = phone("bob@example.org", javascript=False)
    bobs.goto("/c/" + HACKNEY)
    assert "Mutual aid" in bobs.locator("nav.chapter-nav, .chapter-nav").first.inner_text()
    assert bobs.goto(BOARD).status == 200

    # Bob votes yes on the proposal page, without JavaScript.
    bobs.goto(url)
    changes = bobs.locator(".payload-table")
    assert "What changes when it passes" in bobs.locator(".proposal-text").inner_text()
    assert "Mutual aid" in changes.inner_text()
    fits(bobs)
    bobs.locator(".proposal-text").screenshot(path=str(SHOTS / "section-what-changes.png"))
    shot(bobs, "section-proposal")
    bobs.locator("#ballot").get_by_label("Yes", exact=True).check()
    bobs.get_by_role("button", name="Cast my vote").click()
    bobs.wait_for_load_state()
    assert "You voted: Yes." in bobs.locator("#ballot .voted").inner_text()
    fits(bobs)
    shot(bobs, "section-voted")
    assert list(Ballot.objects.filter(proposal=proposal).values_list("member", "ballot")) == [
        (bob.pk, {"choice": "yes"})]

    decision = close(proposal)
    assert decision.effect["applied"] is True

    # The section is gone: not in the navigation, and its board is not found.
    bobs.goto("/c/" + HACKNEY)
    nav = bobs.locator(".chapter-nav").first.inner_text()
    assert "Mutual aid" not in nav and "Events" in nav
    fits(bobs)
    shot(bobs, "section-chapter-after")
    assert bobs.goto(BOARD).status == 404
    bobs.goto(url)
    assert "Decision record" in bobs.locator("#record").inner_text()
    fits(bobs)
    shot(bobs, "section-decision")
