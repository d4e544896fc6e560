"""The projects pages: the chapter's list, a group's page, the forms and buttons, each
with the outsider; what they cost in queries; bad input changes nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chat import selectors as chat_selectors
from chapterhouse.conftest import client_for
from chapterhouse.discussions import services as discussion_services
from chapterhouse.discussions.models import Thread
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.members.tests.factories import make_member
from chapterhouse.projects import services
from chapterhouse.projects.models import Group, Membership, Task

from .factories import join, make_group

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
LIST = HACKNEY + "projects/"


def url(group, action=""):
    return group.get_absolute_url() + action


@pytest.fixture
def group(member):
    return make_group(member, "Housing group", description="We *meet* on Mondays.")


@pytest.fixture
def neighbour(member):
    return make_member("Ned", city="London", neighbourhood="Hackney")


def state():
    return (list(Group.objects.values_list("name", "description", "joining")),
            list(Membership.objects.values_list("member_id", "is_pending", "is_coordinator")),
            list(Task.objects.values_list("title", "status", "assignee_id", "due_date")))


# -- Reading ----------------------------------------------------------------------------


def test_the_chapter_navigation_shows_the_section_and_the_list_the_groups(client, group):
    response = client.get(LIST)
    assert response.status_code == 200
    assert [g.name for g in response.context["page_obj"]] == ["Housing group"]
    assert response.context["may_create"] is False
    assert any(item["key"] == "projects" and item["active"] for item in response.context["nav"])
    assert url(group).encode() in response.content


def test_an_unknown_chapter_or_group_is_a_404(client, group):
    assert client.get("/c/gb/nowhere/projects/").status_code == 404
    assert client.get(LIST + "nothing/").status_code == 404
    # The group of another chapter is not found under this one.
    assert client.get("/c/gb/eng/london/projects/housing-group/").status_code == 404


def test_the_group_page_shows_description_members_tasks_and_updates(member_client, member,
                                                                    group):
    services.add_task(group=group, author=member, title="Print flyers", assignee=member)
    thread = thread_about(group, kind=Thread.Kind.COMMENTS)
    assert thread is not None
    discussion_services.reply(thread=thread, author=member, body="We met the landlord.")
    response = member_client.get(url(group))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>meet</em>" in html
    assert "Print flyers" in html and "We met the landlord." in html
    assert group.room.get_absolute_url() in html
    assert response.context["in_group"] and response.context["may_coordinate"]


def test_outsiders_and_visitors_read_but_see_no_member_controls(client, outsider_client,
                                                                group):
    for reader in (client, outsider_client):
        response = reader.get(url(group))
        assert response.status_code == 200
        assert not response.context["in_group"] and not response.context["may_join"]
        assert group.room.get_absolute_url().encode() not in response.content
        assert b'name="title"' not in response.content


def test_the_description_s_markdown_is_made_safe(member, member_client):
    group = make_group(member, description='<script>alert(1)</script>[x](javascript:alert(1))')
    html = member_client.get(url(group)).content.decode()
    assert "<script>alert" not in html and "javascript:alert" not in html


# -- Creating and editing ------------------------------------------------------------------


def test_a_member_starts_a_group(member_client, member):
    response = member_client.get(LIST + "new/")
    assert response.status_code == 200
    response = member_client.post(LIST + "new/", {
        "name": "Food bank", "kind": "project", "joining": "approved", "description": "",
    })
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == url(group)
    assert (group.kind, group.joining, group.created_by) == ("project", "approved", member)


@pytest.mark.parametrize("data", [
    {"name": "", "kind": "project", "joining": "open"},
    {"name": "x" * 81, "kind": "project", "joining": "open"},
    {"name": "Fine", "kind": "club", "joining": "open"},
    {"name": "Fine", "kind": "project", "joining": "maybe"},
])
def test_a_bad_new_group_is_a_400_and_nothing_is_made(member_client, data):
    before = state()
    response = member_client.post(LIST + "new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert state() == before


def test_outsiders_may_not_start_groups_here(client, outsider_client, member):
    assert client.get(LIST + "new/").status_code == 302  # to log in
    assert outsider_client.get(LIST + "new/").status_code == 403
    response = outsider_client.post(LIST + "new/", {"name": "X", "kind": "project",
                                                    "joining": "open"})
    assert response.status_code == 403
    assert not Group.objects.exists()


def test_coordinators_edit_and_others_may_not(member_client, outsider_client, neighbour,
                                              group):
    join(group, neighbour)
    data = {"name": "Housing", "kind": "project", "joining": "approved", "description": "New"}
    for other in (outsider_client, client_for(neighbour)):
        assert other.get(url(group, "edit/")).status_code == 403
        assert other.post(url(group, "edit/"), data).status_code == 403
    assert member_client.get(url(group, "edit/")).status_code == 200
    before = state()
    assert member_client.post(url(group, "edit/"), {**data, "name": ""}).status_code == 400
    assert state() == before
    assert member_client.post(url(group, "edit/"), data).status_code == 302
    group.refresh_from_db()
    assert (group.name, group.joining) == ("Housing", "approved")


# -- Joining, the approval flow, coordinators ---------------------------------------------


def test_joining_and_leaving_by_the_buttons_moves_the_member_in_and_out_of_the_room(
        neighbour, group):
    client = client_for(neighbour)
    assert client.post(url(group, "join/")).status_code == 302
    assert chat_selectors.is_room_member(neighbour, group.room)
    assert client.get(url(group)).context["in_group"]
    assert client.post(url(group, "join/")).status_code == 403  # already in
    assert client.post(url(group, "leave/")).status_code == 302
    assert not chat_selectors.is_room_member(neighbour, group.room)
    assert client.post(url(group, "leave/")).status_code == 403


def test_outsiders_may_not_join_and_get_requests_wrong(outsider_client, client, group,
                                                       neighbour):
    assert outsider_client.post(url(group, "join/")).status_code == 403
    assert client.post(url(group, "join/")).status_code == 302  # to log in
    assert outsider_client.get(url(group, "join/")).status_code == 405
    for action in ("accept/", "decline/", "coordinators/"):
        response = outsider_client.post(url(group, action), {"member": neighbour.public_id})
        assert response.status_code == 403
    assert not Membership.objects.filter(member__in=[neighbour]).exists()


def test_the_approval_flow_by_the_buttons(member_client, member, neighbour):
    group = make_group(member, joining=Group.Joining.APPROVED)
    assert group.room is not None
    asker = client_for(neighbour)
    asker.post(url(group, "join/"))
    page = asker.get(url(group))
    assert page.context["asked"] and not page.context["in_group"]
    coordinator_page = member_client.get(url(group))
    assert [r.member for r in coordinator_page.context["requests"]] == [neighbour]
    # A member who is not asking, a bad id: nothing changes.
    before = state()
    assert member_client.post(url(group, "accept/"), {"member": "nope"}).status_code == 404
    stranger = make_member("Str", city="London", neighbourhood="Hackney")
    assert member_client.post(url(group, "accept/"),
                              {"member": stranger.public_id}).status_code == 404
    assert state() == before
    # The asker may not accept themselves.
    assert asker.post(url(group, "accept/"), {"member": neighbour.public_id}).status_code == 403
    response = member_client.post(url(group, "accept/"), {"member": neighbour.public_id})
    assert response.status_code == 302
    assert chat_selectors.is_room_member(neighbour, group.room)
    assert asker.get(url(group)).context["in_group"]


def test_a_coordinator_names_another(member_client, neighbour, group):
    join(group, neighbour)
    response = member_client.post(url(group, "coordinators/"), {"member": neighbour.public_id})
    assert response.status_code == 302
    assert Membership.objects.get(member=neighbour).is_coordinator
    assert client_for(neighbour).get(url(group)).context["may_coordinate"]


# -- Tasks -------------------------------------------------------------------------------


def test_members_add_assign_and_move_tasks(member_client, member, neighbour, group):
    join(group, neighbour)
    response = member_client.post(url(group, "tasks/"), {
        "title": "Book the hall", "assignee": str(neighbour.public_id), "due_date": "2027-01-31",
    })
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.assignee, task.due_date) == (neighbour, datetime.date(2027, 1, 31))
    client = client_for(neighbour)
    status_url = url(group, f"tasks/{task.public_id}/status/")
    assert client.post(status_url, {"status": "doing"}).status_code == 302
    assert client.post(status_url, {"status": "done"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assign_url = url(group, f"tasks/{task.public_id}/assign/")
    assert client.post(assign_url, {"assignee": str(member.public_id)}).status_code == 302
    task.refresh_from_db()
    assert task.assignee == member


def test_bad_task_input_changes_nothing(member_client, member, group):
    task = services.add_task(group=group, author=member, title="Hall")
    stranger = make_member("Str", city="London", neighbourhood="Hackney")
    before = state()
    for data in [{"title": ""}, {"title": "x" * 201}, {"title": "A", "due_date": "soon"},
                 {"title": "A", "assignee": str(stranger.public_id)}]:
        response = member_client.post(url(group, "tasks/"), data)
        assert response.status_code == 400
        assert response.context["task_form"].errors
    member_client.post(url(group, f"tasks/{task.public_id}/status/"), {"status": "lost"})
    member_client.post(url(group, f"tasks/{task.public_id}/assign/"),
                       {"assignee": str(stranger.public_id)})
    assert member_client.post(url(group, "tasks/00000000-0000-0000-0000-000000000000/status/"),
                              {"status": "done"}).status_code == 404
    assert state() == before


def test_outsiders_and_non_members_may_not_touch_tasks(outsider_client, neighbour, member,
                                                       group):
    task = services.add_task(group=group, author=member, title="Hall")
    before = state()
    for client in (outsider_client, client_for(neighbour)):
        assert client.post(url(group, "tasks/"), {"title": "Mine"}).status_code == 403
        assert client.post(url(group, f"tasks/{task.public_id}/status/"),
                           {"status": "done"}).status_code == 403
        assert client.post(url(group, f"tasks/{task.public_id}/assign/"),
                           {"assignee": ""}).status_code == 403
    assert state() == before


def test_only_group_members_post_updates(member, neighbour, group):
    thread = thread_about(group, kind=Thread.Kind.COMMENTS)
    assert client_for(neighbour).get(url(group)).context["thread"] == thread
    post = client_for(neighbour).post(f"/discussions/{thread.public_id}/reply/",
                                      {"body": "Hello"})
    assert post.status_code in (403, 404)
    assert thread.posts.count() == 0


# -- What the lists cost ---------------------------------------------------------------------


def _count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _grow(group, creator, n, start):
    for i in range(n):
        person = make_member(f"P{start + i}", city="London", neighbourhood="Hackney")
        join(group, person)
        services.add_task(group=group, author=creator, title=f"T{start + i}", assignee=person)


@pytest.mark.parametrize("persona", ["client", "member_client", "outsider_client"])
def test_the_list_and_the_group_page_cost_the_same_whatever_the_number(request, persona,
                                                                     member, group):
    client = request.getfixturevalue(persona)
    _grow(group, member, 1, 0)
    small = (_count(client, LIST), _count(client, url(group)))
    for i in range(3):
        make_group(member, f"More {i}")
    _grow(group, member, 3, 10)
    assert (_count(client, LIST), _count(client, url(group))) == small


def test_my_chapters_shows_my_groups_beside_the_places(member_client, member, neighbour):
    group = make_group(member, "Garden")
    other = make_group(neighbour, "Closed", joining=Group.Joining.APPROVED)
    services.join_group(group=other, member=member)
    response = member_client.get("/c/mine/")
    html = response.content.decode()
    assert url(group) in html and url(other) in html
    assert "asked to join" in html and "coordinator" in html
    assert "My groups" not in client_for(make_member("Zed", city="Leeds")).get(
        "/c/mine/").content.decode()
