"""A meeting in a real Chromium at 360 px without JavaScript: a facilitator puts a
proposal on the agenda, writes the minutes after the start, records the vote taken in
the room, and the decision log shows it as taken at a meeting. Nothing scrolls
sideways. Screenshots in test-artifacts/meetings/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.decisions import selectors as decision_selectors
from chapterhouse.decisions.models import Decision
from chapterhouse.decisions.tests.factories import in_deliberation, set_rule
from chapterhouse.events.models import Minutes
from chapterhouse.events.tests.factories import make_event
from chapterhouse.members.tests.factories import make_member

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = ARTIFACTS / "meetings"
PHONE = {"width": 360, "height": 740}


def test_a_facilitator_records_a_meeting_vote_in_the_public_record(browser, live_server, db):
    fay = make_member("Fay Facilitator", city="London", neighbourhood="Hackney",
                      email="fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    set_rule(fay.home_chapter, "routine", meeting_votes=True)
    proposal = in_deliberation(fay, title="Paint the community hall")
    event = make_event(author=fay, title="General assembly", address="Hackney hall",
                       starts_at=timezone.now() - timedelta(hours=1))
    SHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    log_in(tab, "fay@example.org")

    # The agenda, naming the proposal by its address.
    tab.goto(event.get_absolute_url())
    tab.get_by_role("link", name="Edit the agenda").click()
    tab.fill("input[name=title]", "The hall")
    tab.fill("input[name=proposal]", live_server.url + proposal.get_absolute_url())
    tab.get_by_role("button", name="Add to the agenda").click()
    tab.wait_for_load_state()
    assert "The item is on the agenda" in tab.locator("body").inner_text()
    tab.screenshot(path=str(SHOTS / "agenda-360.png"), full_page=True)

    # The minutes, then the vote taken in the room.
    tab.goto(event.get_absolute_url())
    tab.get_by_role("link", name="Write the minutes").click()
    tab.fill("textarea[name=text]", "Twenty came. We discussed **the hall**.")
    tab.get_by_role("button", name="Save the minutes").click()
    tab.wait_for_load_state()
    assert Minutes.objects.get().text.startswith("Twenty came")
    tab.goto(event.get_absolute_url() + "minutes/")
    form = tab.locator("#record-vote form")
    form.locator("select[name=category]").select_option("routine")
    form.locator("input[name=title]").fill("Paint the community hall")
    form.locator("textarea[name=text]").fill("We paint the hall green.")
    form.locator("textarea[name=counts]").fill("yes: 12\nno: 5\nabstain: 2")
    form.locator("input[name=attendance]").fill("20")
    form.locator("input[name=counted_by]").fill("Sam and Priya")
    tab.screenshot(path=str(SHOTS / "minutes-360.png"), full_page=True)
    form.get_by_role("button", name="Record the vote").click()
    tab.wait_for_load_state()
    assert "The vote is in the public record" in tab.locator("body").inner_text()
    decision = Decision.objects.get()
    assert decision.outcome == "passed"
    assert decision_selectors.chain_problems() == []
    main = tab.locator("main").inner_text()
    assert "Votes taken at this meeting" in main and "Paint the community hall" in main
    tab.screenshot(path=str(SHOTS / "event-360.png"), full_page=True)

    # The public record: the log marks it, the record says where, when, who counted.
    tab.goto("/decisions/")
    row = tab.locator("table.decisions tbody tr").first
    assert "Taken at a meeting" in row.inner_text()
    tab.screenshot(path=str(SHOTS / "log-360.png"), full_page=True)
    row.get_by_role("link", name="Paint the community hall").click()
    tab.wait_for_load_state()
    record = tab.locator("#record").inner_text()
    assert "Taken at a meeting" in record
    assert "Sam and Priya" in record and "Hackney hall" in record and "20" in record
    tab.screenshot(path=str(SHOTS / "record-360.png"), full_page=True)
    context.close()

    # The same pages with scripts on, only to measure them: nothing scrolls sideways.
    measure = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    check = measure.new_page()
    log_in(check, "fay@example.org")
    for address in (event.get_absolute_url(), event.get_absolute_url() + "agenda/",
                    event.get_absolute_url() + "minutes/", "/decisions/",
                    f"/decisions/d/{decision.proposal.public_id}/"):
        check.goto(address)
        assert check.evaluate("document.documentElement.scrollWidth") <= 360, address
    measure.close()
