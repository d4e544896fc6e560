"""Chapter announcements in a real Chromium at 360 px: a facilitator writes one without
JavaScript, a member sees it on the chapter page and is told; hostile Markdown runs
nothing; nothing scrolls sideways. Screenshots in test-artifacts/announcements/."""

import pytest

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.members.tests.factories import PASSWORD, make_member
from chapterhouse.notifications.models import Kind, Notification

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "/c/gb/eng/london/hackney/"
SHOTS = ARTIFACTS / "announcements"
PHONE = {"width": 360, "height": 740}


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_facilitator_announces_from_a_phone_and_a_member_reads_it(browser, live_server, db):
    fay = make_member("Fay Facilitator", city="London", neighbourhood="Hackney",
                      email="fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The facilitator, on a phone without JavaScript: the plain form.
    writer = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                 viewport=PHONE, is_mobile=True)
    tab = writer.new_page()
    log_in(tab, "fay@example.org")
    tab.goto(HACKNEY)
    tab.get_by_role("link", name="Write an announcement").click()
    tab.fill("input[name=title]", "Street party on Saturday")
    tab.fill("textarea[name=body]",
             "Bring **food** and chairs.\n\n- music from 4 pm\n- clean-up at 9 pm\n\n"
             "<img src=x onerror=alert(1)> [click](javascript:alert(2))")
    # Hackney has no chapters below it: nothing more to show it on.
    assert tab.locator("input[name=reaches_subchapters]").count() == 0
    tab.screenshot(path=str(SHOTS / "form-360.png"), full_page=True)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url(f"**{HACKNEY}")
    assert "sent to the chapter's members" in tab.locator("body").inner_text()
    writer.close()

    # A member, on a phone with JavaScript: the chapter page shows it, and nothing runs.
    reader = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = reader.new_page()
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    log_in(page, "ada@example.org")
    page.goto(HACKNEY)
    panel = page.locator("section.announcements")
    assert "Street party on Saturday" in panel.inner_text()
    assert panel.locator("strong", has_text="food").count() == 1
    assert panel.locator("li").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "chapter-page-360.png"), full_page=True)
    panel.get_by_role("link", name="Street party on Saturday").click()
    page.wait_for_load_state()
    assert "Bring food and chairs." in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert dialogs == []
    reader.close()

    notice = Notification.objects.get(recipient=ada, kind=Kind.ANNOUNCEMENT)
    assert "Street party on Saturday" in notice.text
    assert not Notification.objects.filter(recipient=fay, kind=Kind.ANNOUNCEMENT).exists()


def test_a_facilitator_edits_then_withdraws_and_the_member_sees_each_step(
    browser, live_server, db
):
    """At 360 px, the facilitator without JavaScript: announces, edits (the member sees
    the new title, marked edited), withdraws with a reason (it leaves the chapter page;
    the member's notice leads to a page that says only that it was withdrawn)."""
    fay = make_member("Fay Facilitator", city="London", neighbourhood="Hackney",
                      email="fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)

    writer = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                 viewport=PHONE, is_mobile=True)
    tab = writer.new_page()
    log_in(tab, "fay@example.org")
    tab.goto(HACKNEY + "announcements/new/")
    tab.fill("input[name=title]", "Garden day on Sunday")
    tab.fill("textarea[name=body]", "Bring gloves.")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url(f"**{HACKNEY}")

    reader = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = reader.new_page()
    log_in(page, "ada@example.org")
    page.goto(HACKNEY)
    assert "Garden day on Sunday" in page.locator("section.announcements").inner_text()

    # Edit: from the announcement's page, the plain form.
    tab.get_by_role("link", name="Garden day on Sunday").click()
    tab.get_by_role("link", name="Edit").click()
    tab.fill("input[name=title]", "Garden day moved to Monday")
    tab.fill("textarea[name=body]", "Bring gloves and seeds.")
    tab.screenshot(path=str(SHOTS / "edit-360.png"), full_page=True)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    assert "The announcement is changed." in tab.locator("body").inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(HACKNEY)
    panel = page.locator("section.announcements")
    assert "Garden day moved to Monday" in panel.inner_text()
    assert "Garden day on Sunday" not in panel.inner_text()
    assert panel.locator(".announcement-edited").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "edited-chapter-page-360.png"), full_page=True)

    # Withdraw, with a reason, on the confirmation page.
    tab.get_by_role("link", name="Withdraw").click()
    tab.fill("textarea[name=reason]", "The garden is closed that week.")
    tab.screenshot(path=str(SHOTS / "withdraw-360.png"), full_page=True)
    tab.get_by_role("button", name="Withdraw it").click()
    tab.wait_for_load_state()
    main = tab.locator("main").inner_text()
    assert "This announcement was withdrawn by Fay Facilitator" in main
    assert "Garden day" not in main
    tab.screenshot(path=str(SHOTS / "withdrawn-360.png"), full_page=True)
    writer.close()

    page.goto(HACKNEY)
    assert "Garden day" not in page.locator("main").inner_text()
    notice = Notification.objects.get(recipient=ada, kind=Kind.ANNOUNCEMENT)
    page.goto("/notifications/")
    assert "An announcement in Hackney was withdrawn." in page.locator("main").inner_text()
    assert "Garden day" not in page.locator("main").inner_text()
    page.goto(notice.link)
    assert "was withdrawn" in page.locator("main").inner_text()
    assert "The garden is closed that week." in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "notice-leads-to-withdrawn-360.png"), full_page=True)
    reader.close()
