"""A new member in a real Chromium at 360 px without JavaScript: three replies in an
hour go through, the fourth is refused with the limit and the wait, the text kept in
the form; and a resource the facilitators hid shows their reason, not the resource.
Screenshots in test-artifacts/moderation/."""

import pytest

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.discussions.models import Post
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.members.tests.factories import make_member
from chapterhouse.moderation import services as moderation
from chapterhouse.resources.tests.factories import make_link

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser,
              pytest.mark.usefixtures("newcomer_limits")]

SHOTS = ARTIFACTS / "moderation"
PHONE = {"width": 360, "height": 740}


def test_a_new_member_meets_the_hourly_limit_and_a_hidden_resource(browser, live_server):
    ada = make_member("Ada Author", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    newbie = make_member("Nia Newcomer", city="London", neighbourhood="Hackney",
                         email="nia@example.org")
    fay = make_member("Fay Facilitator", city="London", neighbourhood="Hackney",
                      email="fay@example.org")
    grant_role(chapter=fay.home_chapter, member=fay, source=ChapterRole.Source.ADMIN)
    thread = make_thread(ada, title="The park", body="Shall we plant trees?")
    resource = make_link(ada, title="A dodgy guide", url="https://dodgy.example/")
    moderation.hide(target=resource, moderator=fay, reason="Spam link")
    SHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True, locale="en-GB")
    page = context.new_page()
    log_in(page, "nia@example.org")
    for number in range(1, 5):
        page.goto(thread.get_absolute_url())
        page.fill("textarea[name=body]", f"Yes, reply {number}")
        page.get_by_role("button", name="Post", exact=True).click()
        page.wait_for_load_state()
    text = page.locator("body").inner_text()
    assert "New members can post 3 times an hour. You can post again in 60 minutes." in text
    assert page.input_value("textarea[name=body]") == "Yes, reply 4"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "newcomer-limit-360.png"), full_page=True)
    assert Post.objects.filter(author=newbie).count() == 3

    page.goto(resource.get_absolute_url())
    text = page.locator("body").inner_text()
    assert "Hidden by the facilitators: Spam link" in text
    assert "dodgy" not in text
    page.screenshot(path=str(SHOTS / "hidden-resource-360.png"), full_page=True)
    context.close()
