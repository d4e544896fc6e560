"""Living documents in a real Chromium at 360 px without JavaScript: International's
vision has a section amended by a "rules" proposal; a member votes Yes in the
browser; once the vote is closed, the section's history shows the new version, the
decision that made it and what changed. Screenshots in test-artifacts/documents/."""

import pytest

from chapterhouse.chapters.services import get_international
from chapterhouse.decisions.tests.factories import close, in_voting
from chapterhouse.documents.tests.factories import document
from chapterhouse.members.tests.factories import PASSWORD, make_member

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "documents"
PHONE = {"width": 360, "height": 740}
NEW_TEXT = "Clean air, fair rents and green streets for everyone, everywhere."


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_decision_amends_a_section_of_the_vision_and_the_history_shows_it(
        browser, live_server, db):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    international = get_international()
    vision = document(international, title="Our vision")
    section = vision.sections.get(position=2)
    proposal = in_voting(ada, chapter=international, category="rules",
                         title="Greener streets in our vision",
                         payload={"document_section": str(section.public_id),
                                  "text": NEW_TEXT})
    SHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, "ada@example.org")
        # The vision, linked from International's page.
        page.goto(international.get_absolute_url())
        page.get_by_role("link", name="Our vision").first.click()
        assert "Clean air and fair rents for everyone." in page.locator("main").inner_text()
        no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / "vision-360.png"), full_page=True)

        # The proposal shows what would change; the member votes Yes.
        page.goto(proposal.get_absolute_url())
        assert page.locator(".diff ins").count() >= 1
        no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / "proposal-360.png"), full_page=True)
        page.check("input[name=choice][value=yes]")
        page.get_by_role("button", name="Cast my vote").click()
        page.wait_for_load_state()
        assert "You voted" in page.locator("body").inner_text()

        decision = close(proposal)
        assert decision.effect["applied"] is True

        # The vision reads the new text; its history names the decision and the diff.
        page.goto(vision.get_absolute_url())
        assert NEW_TEXT in page.locator("main").inner_text()
        page.get_by_role("link", name="History").nth(1).click()
        main = page.locator("main")
        assert "Version 2" in main.inner_text() and "Version 1" in main.inner_text()
        link = main.get_by_role("link", name="Greener streets in our vision")
        assert link.get_attribute("href") == f"/decisions/d/{proposal.public_id}/"
        assert main.locator(".diff ins").first.inner_text().strip()
        assert main.locator(".diff del").count() >= 1
        no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / "history-360.png"), full_page=True)
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/decisions/d/{proposal.public_id}/")
    finally:
        context.close()
