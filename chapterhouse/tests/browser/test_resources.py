"""A chapter's library and its lessons in a real Chromium at 360 px: a member adds a
link and a file without JavaScript and downloads the file; they share a lesson; a
member of another chapter finds it in the organisation's lessons, filtered, and says
it helped them. Nothing scrolls sideways. Screenshots in test-artifacts/resources/."""

import pytest

from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.resources.models import Lesson, LessonHelp, Resource
from chapterhouse.resources.tests.factories import PDF

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "/c/gb/eng/london/hackney/"
SHOTS = ARTIFACTS / "resources"
PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_member_fills_the_library_and_another_chapter_finds_a_lesson_helpful(
    browser, live_server, tmp_path,
):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    oscar = make_member("Oscar Outsider", city="Lyon",
                        region=("FR-ARA", "Auvergne-Rhône-Alpes"), country=("FR", "France"),
                        email="oscar@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # Ada, on a phone without JavaScript: the plain forms.
    writer = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                 viewport=PHONE, is_mobile=True, locale="en-GB")
    tab = writer.new_page()
    log_in(tab, "ada@example.org")
    tab.goto(HACKNEY)
    tab.locator("nav").get_by_role("link", name="Resources").first.click()
    tab.wait_for_url(f"**{HACKNEY}resources/")
    tab.get_by_role("link", name="Add a link or a file").click()
    tab.fill("input[name=title]", "How to run a street stall")
    tab.fill("input[name=url]", "https://example.org/a-very-long-address/that-goes-on/"
             "and-on-without-any-break-at-all-so-it-must-wrap-on-a-phone")
    tab.fill("input[name=tags]", "Stalls, outreach")
    tab.screenshot(path=str(SHOTS / "add-link-360.png"), full_page=True)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    assert "Added to the library." in tab.locator("body").inner_text()
    no_sideways_scroll(tab)

    tab.goto(f"{HACKNEY}resources/new/")
    flyer = tmp_path / "flyer for the stall.pdf"
    flyer.write_bytes(PDF)
    tab.fill("input[name=title]", "Our flyer")
    tab.set_input_files("input[name=file]", str(flyer))
    tab.check("input[name=visibility][value=members]")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    assert "Download flyer for the stall.pdf" in tab.locator("main").inner_text()
    tab.screenshot(path=str(SHOTS / "file-detail-360.png"), full_page=True)
    resource = Resource.objects.get(title="Our flyer")
    download = writer.request.get(resource.get_download_url())
    assert download.ok and download.body() == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"

    tab.goto(f"{HACKNEY}resources/")
    library = tab.locator("section.resources")
    assert "How to run a street stall" in library.inner_text()
    assert "Our flyer" in library.inner_text()
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "library-360.png"), full_page=True)

    tab.get_by_role("link", name="Share a lesson").click()
    tab.fill("input[name=title]", "Stalls work best on market day")
    tab.select_option("select[name=topic]", "campaigns")
    tab.fill("textarea[name=body]", "Arrive **early**, bring a table.")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    assert "shared with every chapter" in tab.locator("body").inner_text()
    assert tab.locator("button", has_text="This helped us").count() == 0  # her own chapter
    writer.close()

    # Oscar, from Lyon, on a phone without JavaScript: the lessons index, filtered.
    reader = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                 viewport=PHONE, is_mobile=True, locale="en-GB")
    page = reader.new_page()
    log_in(page, "oscar@example.org")
    # Outsiders see the public link, not the members-only file.
    page.goto(f"{HACKNEY}resources/")
    assert "Our flyer" not in page.locator("main").inner_text()
    assert reader.request.get(resource.get_download_url()).status == 404
    page.goto("/lessons/")
    page.select_option("select[name=topic]", "campaigns")
    page.select_option("select[name=place]", "gb/eng/london")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "topic=campaigns" in page.url and "place=gb%2Feng%2Flondon" in page.url
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "lessons-360.png"), full_page=True)
    page.get_by_role("link", name="Stalls work best on market day").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="This helped us").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "the lesson's chapter is told" in text and "This helped 1 chapter" in text
    assert "Lyon" in page.locator("section.lesson-helped").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "lesson-helped-360.png"), full_page=True)
    reader.close()

    lesson = Lesson.objects.get()
    assert lesson.helped_count == 1
    assert LessonHelp.objects.get().chapter == oscar.home_chapter
    assert Notification.objects.filter(recipient=ada, kind=Kind.LESSON_HELPED).count() == 1
