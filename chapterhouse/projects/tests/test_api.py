"""Groups over the REST API: the pages' rules, bad input refused, the cost."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.services import set_section
from chapterhouse.members.tests.factories import make_member, token_client_for
from chapterhouse.projects.models import Group, Membership, Task
from chapterhouse.projects.tests.factories import join, make_group

pytestmark = pytest.mark.django_db

LIST = "/api/v1/groups/"
HACKNEY = "gb/eng/london/hackney"


def one(group):
    return f"{LIST}{group.public_id}/"


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def group(member):
    return make_group(member, "Housing group", description="We **house**.")


def test_anyone_lists_a_chapters_groups_and_reads_one(client, group, neighbour):
    join(group, neighbour)
    body = client.get(LIST, {"chapter": HACKNEY}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["name"], row["member_count"], row["web_url"]) == (
        "Housing group", 2, group.get_absolute_url())
    detail = client.get(one(group)).json()
    assert [m["member"]["display_name"] for m in detail["members"]] == [
        "Ada Member", "Nell Neighbour"]
    assert detail["description_html"] == "<p>We <strong>house</strong>.</p>"
    assert detail["requests"] == []


def test_unknown_chapters_ids_and_pages_are_refused(client, group):
    assert client.get(LIST).status_code == 400
    assert client.get(LIST, {"chapter": "gb/nowhere"}).status_code == 404
    assert client.get(LIST, {"chapter": HACKNEY, "page": "x"}).status_code == 400
    assert client.get(f"{LIST}00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_members_only_section_is_404_to_outsiders(client, outsider, member, group):
    set_section(chapter=member.home_chapter,
                change={"section": "projects", "visibility": "members"})
    for other in (client, token_client_for(outsider)):
        assert other.get(LIST, {"chapter": HACKNEY}).status_code == 404
        assert other.get(one(group)).status_code == 404
    assert post_json(token_client_for(outsider), one(group) + "join/").status_code == 404
    assert token_client_for(member).get(one(group)).status_code == 200
    assert not Membership.objects.filter(member=outsider).exists()


def test_a_member_starts_a_group(member):
    response = post_json(token_client_for(member), LIST, {
        "chapter": HACKNEY, "name": "Tenants", "kind": "caucus", "joining": "approved"})
    assert response.status_code == 201
    created = Group.objects.get()
    assert (created.name, created.kind, created.joining) == ("Tenants", "caucus", "approved")
    assert response.json()["members"][0]["is_coordinator"] is True


def test_writing_without_credentials_is_401_and_outsiders_get_403(client, outsider, group):
    assert post_json(client, LIST, {"chapter": HACKNEY, "name": "x"}).status_code == 401
    assert patch_json(client, one(group), {"name": "x"}).status_code == 401
    assert post_json(client, one(group) + "join/").status_code == 401
    as_outsider = token_client_for(outsider)
    assert post_json(as_outsider, LIST, {"chapter": HACKNEY, "name": "x"}).status_code == 403
    assert patch_json(as_outsider, one(group), {"name": "x"}).status_code == 403
    assert post_json(as_outsider, one(group) + "join/").status_code == 403
    assert post_json(as_outsider, one(group) + "tasks/", {"title": "x"}).status_code == 403
    assert Group.objects.get().name == "Housing group"
    assert Group.objects.count() == 1 and not Task.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"chapter": HACKNEY, "name": ""}, "name"),
    ({"chapter": HACKNEY, "name": "   "}, "name"),
    ({"chapter": HACKNEY, "name": "x" * 81}, "non_field_errors"),
    ({"chapter": HACKNEY, "name": "x", "kind": "party"}, "kind"),
    ({"chapter": HACKNEY, "name": "x", "slug": "mine"}, "slug"),
    ({"name": "x"}, "chapter"),
])
def test_bad_groups_are_400_and_nothing_is_stored(member, data, field):
    response = post_json(token_client_for(member), LIST, data)
    assert response.status_code == 400 and field in response.json()
    assert not Group.objects.exists()


def test_a_coordinator_edits_and_bad_edits_change_nothing(member, neighbour, group):
    join(group, neighbour)
    assert patch_json(token_client_for(neighbour), one(group), {"name": "Mine"}
                      ).status_code == 403
    as_coordinator = token_client_for(member)
    for data in ({"name": ""}, {"joining": "never"}, {"room": None}):
        assert patch_json(as_coordinator, one(group), data).status_code == 400
    assert Group.objects.get().name == "Housing group"
    response = patch_json(as_coordinator, one(group), {"name": "Homes", "joining": "approved"})
    assert response.status_code == 200
    changed = Group.objects.get()
    assert (changed.name, changed.joining, changed.description) == (
        "Homes", "approved", "We **house**.")


def test_joining_asking_accepting_declining_and_leaving(member, neighbour, facilitator):
    group = make_group(member, "Approved", joining=Group.Joining.APPROVED)
    as_neighbour = token_client_for(neighbour)
    asked = post_json(as_neighbour, one(group) + "join/")
    assert asked.status_code == 201 and asked.json()["is_pending"] is True
    assert post_json(as_neighbour, one(group) + "join/").status_code == 403  # asked already
    assert post_json(as_neighbour, one(group) + "accept/",
                     {"member": str(neighbour.public_id)}).status_code == 403
    as_coordinator = token_client_for(member)
    requests = as_coordinator.get(one(group)).json()["requests"]
    assert [r["member"]["public_id"] for r in requests] == [str(neighbour.public_id)]
    assert post_json(as_coordinator, one(group) + "accept/",
                     {"member": str(facilitator.public_id)}).status_code == 400
    accepted = post_json(as_coordinator, one(group) + "accept/",
                         {"member": str(neighbour.public_id)})
    assert accepted.status_code == 200 and accepted.json()["is_pending"] is False
    post_json(token_client_for(facilitator), one(group) + "join/")
    assert post_json(as_coordinator, one(group) + "decline/",
                     {"member": str(facilitator.public_id)}).status_code == 204
    assert not Membership.objects.filter(member=facilitator).exists()
    assert post_json(as_neighbour, one(group) + "leave/").status_code == 204
    assert not Membership.objects.filter(member=neighbour).exists()


def test_members_add_assign_and_move_tasks(member, neighbour, outsider, group):
    join(group, neighbour)
    as_member = token_client_for(member)
    added = post_json(as_member, one(group) + "tasks/", {
        "title": "Print flyers", "assignee": str(neighbour.public_id), "due_date": "2030-01-02"})
    assert added.status_code == 201
    task = Task.objects.get()
    assert (task.assignee, str(task.due_date)) == (neighbour, "2030-01-02")
    base = f"{one(group)}tasks/{task.public_id}/"
    assert post_json(as_member, base + "status/", {"status": "doing"}).json()["status"] == "doing"
    assert post_json(as_member, base + "assign/", {"assignee": None}).json()["assignee"] is None
    for url, data, field in [
        (base + "status/", {"status": "later"}, "status"),
        (base + "assign/", {"assignee": str(outsider.public_id)}, "assignee"),
        (base + "assign/", {}, "assignee"),
        (one(group) + "tasks/", {"title": ""}, "title"),
        (one(group) + "tasks/", {"title": "x", "status": "done"}, "status"),
        (one(group) + "tasks/", {"title": "x", "assignee": str(outsider.public_id)},
         "assignee"),
    ]:
        response = post_json(as_member, url, data)
        assert response.status_code == 400 and field in response.json(), (url, data)
    task.refresh_from_db()
    assert (task.status, task.assignee, Task.objects.count()) == ("doing", None, 1)
    unknown = f"{one(group)}tasks/00000000-0000-0000-0000-000000000000/status/"
    assert post_json(as_member, unknown, {"status": "done"}).status_code == 404


def _count(client, url, params):
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member"])
def test_the_list_and_a_group_cost_the_same_whatever_the_number(request, persona, member):
    client = Client() if persona is None else token_client_for(request.getfixturevalue(persona))
    group = make_group(member, "First")
    small = _count(client, LIST, {"chapter": HACKNEY})
    small_detail = _count(client, one(group), {})
    for index in range(5):
        other = make_member(f"Joiner {index}", city="London", neighbourhood="Hackney")
        make_group(other, f"Group {index}")
        join(group, other)
        Task.objects.create(group=group, title=f"Task {index}", assignee=other)
    assert _count(client, LIST, {"chapter": HACKNEY}) == small
    assert _count(client, one(group), {}) == small_detail
