"""A survey answered without an account, by its link, on a phone without JavaScript:
the plain form, a mistake shown, the answer counted, then the results as bars with
their numbers. Nothing scrolls sideways. Screenshots in test-artifacts/polls/."""

import pytest

from chapterhouse.members.tests.factories import make_member
from chapterhouse.polls.models import Response
from chapterhouse.polls.tests.factories import make_survey

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = ARTIFACTS / "polls"
PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_survey_is_answered_without_an_account_on_a_phone(browser, live_server, db):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney")
    survey = make_survey(ada, by_link=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    tab = context.new_page()
    tab.goto(survey.public_url())
    assert "No account needed" in tab.locator("main").inner_text()
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "survey-360.png"), full_page=True)

    # A mistake first: the first question left unanswered.
    tab.get_by_label("Rent").check()
    tab.locator("main form button[type=submit]").click()
    assert "This field is required." in tab.locator("main").inner_text()
    assert not Response.objects.exists()

    tab.get_by_label("Yes").check()
    tab.get_by_label("Rent").check()
    tab.get_by_label("Transport").check()
    tab.locator("input[name=q3][value='4']").check()
    tab.fill("textarea[name=q4]", "Cheaper buses")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    body = tab.locator("main").inner_text()
    assert "Thank you: your answer is counted." in tab.locator("body").inner_text()
    assert "1 answer so far" in body and "average 4.0 of 5" in body
    assert "Cheaper buses" not in body  # texts are for the facilitators
    assert tab.locator("table.bars").count() == 3
    response = Response.objects.get()
    assert response.member is None and response.answers.count() == 5
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "results-360.png"), full_page=True)
    context.close()
