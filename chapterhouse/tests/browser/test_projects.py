"""Projects and working groups in a real Chromium at 360 px: a member starts a working
group without JavaScript, another joins it, a task is given to them and moved to done;
nothing scrolls sideways. Screenshots in test-artifacts/projects/."""

import pytest

from chapterhouse.chat import selectors as chat_selectors
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.projects.models import Group, Task

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "/c/gb/eng/london/hackney/"
SHOTS = ARTIFACTS / "projects"
PHONE = {"width": 360, "height": 740}


def no_sideways_scroll(tab) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_working_group_is_started_joined_and_a_task_done_from_phones(browser, live_server,
                                                                        db):
    ada = make_member("Ada Lovelace", city="London", neighbourhood="Hackney",
                      email="ada@example.org")
    ned = make_member("Ned Neighbour", city="London", neighbourhood="Hackney",
                      email="ned@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)

    # Ada, on a phone without JavaScript, starts a working group from the chapter's tab.
    starter = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE, is_mobile=True)
    tab = starter.new_page()
    log_in(tab, "ada@example.org")
    tab.goto(HACKNEY)
    tab.locator(".chapter-nav").get_by_role("link", name="Projects").click()
    tab.wait_for_url(f"**{HACKNEY}projects/")
    tab.get_by_role("link", name="Start a group").click()
    tab.fill("input[name=name]", "Tenants' working group")
    tab.select_option("select[name=kind]", "working_group")
    tab.check("input[name=joining][value=open]")
    tab.fill("textarea[name=description]", "We **meet** on Mondays.")
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "new-group-360.png"), full_page=True)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url("**/projects/tenants-working-group/")
    assert "Your group is started" in tab.locator("body").inner_text()
    assert tab.locator("main strong", has_text="meet").count() == 1
    no_sideways_scroll(tab)
    group = Group.objects.get()
    assert group.created_by == ada and group.room is not None

    # Ned, on a phone with JavaScript, joins it: he is in its chat room too.
    joiner = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = joiner.new_page()
    log_in(page, "ned@example.org")
    page.goto(f"{HACKNEY}projects/")
    page.get_by_role("link", name="Tenants' working group").click()
    page.get_by_role("button", name="Join the group").click()
    page.wait_for_load_state()
    assert "You joined the group" in page.locator("body").inner_text()
    assert page.get_by_role("link", name="Open the group's chat room").count() == 1
    assert chat_selectors.is_room_member(ned, group.room)

    # Ada (no JavaScript) adds a task and gives it to Ned.
    tab.reload()
    tab.fill("input[name=title]", "Book the community hall")
    tab.select_option("select[name=assignee]", label="Ned Neighbour")
    tab.fill("input[name=due_date]", "2027-03-01")
    tab.get_by_role("button", name="Add the task").click()
    tab.wait_for_load_state()
    assert "The task is added." in tab.locator("body").inner_text()
    task = Task.objects.get()
    assert task.assignee == ned
    assert Notification.objects.filter(recipient=ned, kind=Kind.TASK_ASSIGNED).count() == 1
    no_sideways_scroll(tab)
    tab.screenshot(path=str(SHOTS / "group-with-task-360.png"), full_page=True)

    # Ned moves it to doing, then to done, with the plain buttons.
    page.reload()
    row = page.locator(f"#task-{task.public_id}")
    row.get_by_role("button", name="Start it").click()
    page.wait_for_load_state()
    page.locator(f"#task-{task.public_id}").get_by_role("button", name="Mark as done").click()
    page.wait_for_load_state()
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert "done" in page.locator(f"#task-{task.public_id} .badge").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "task-done-360.png"), full_page=True)

    # Ned's "My chapters" lists the group beside the places.
    page.goto("/c/mine/")
    assert page.get_by_role("link", name="Tenants' working group").count() == 1
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "my-chapters-360.png"), full_page=True)
    assert page.csp_errors == [] if hasattr(page, "csp_errors") else True
    joiner.close()
    starter.close()
