"""A visitor meets a members-only profile and signs in to see it; a member leaves,
removing the text of their forum posts: both without JavaScript."""

import pytest

from chapterhouse.discussions.models import Post
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import PASSWORD, make_member

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_js(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_a_visitor_signs_in_to_see_a_members_only_profile(no_js, db):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    make_member("Nell Neighbour", city="London", neighbourhood="Hackney",
                email="nell@example.org")
    response = no_js.goto(ada.get_absolute_url())
    assert response is not None and response.status == 403
    assert "Ada" not in no_js.locator("main").inner_text()
    no_js.screenshot(path=str(ARTIFACTS / "members_only_profile_for_a_visitor.png"),
                     full_page=True)
    no_js.get_by_role("link", name="Sign in to see this profile").click()
    no_js.fill("input[name=login]", "nell@example.org")
    no_js.fill("input[name=password]", PASSWORD)
    no_js.locator("main form button[type=submit]").click()
    no_js.wait_for_selector("h1:has-text('Ada Lovelace')")
    assert no_js.url.endswith(ada.get_absolute_url())
    assert "never signed in" in no_js.locator(".presence").inner_text()


def test_a_member_leaves_and_removes_their_forum_posts(no_js, db):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    thread = make_thread(ada, title="Picnic", body="Ada's bread recipe")
    no_js.goto("/accounts/login/")
    no_js.fill("input[name=login]", "ada@example.org")
    no_js.fill("input[name=password]", PASSWORD)
    no_js.locator("main form button[type=submit]").click()
    no_js.goto("/me/delete/")
    no_js.screenshot(path=str(ARTIFACTS / "delete_account_page.png"), full_page=True)
    no_js.fill("input[name=password]", PASSWORD)
    no_js.get_by_label("Also remove the text of my forum posts and comments").check()
    no_js.get_by_role("button", name="Delete my account for good").click()
    no_js.wait_for_selector("text=Your account has been deleted")
    assert "The text of your forum posts and comments was removed." in no_js.content()
    assert not Member.objects.filter(pk=ada.pk).exists()
    assert Post.objects.get(thread=thread).body == ""
    no_js.goto(thread.get_absolute_url())
    assert "removed by its author" in no_js.locator("main").inner_text()
