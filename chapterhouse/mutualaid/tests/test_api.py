"""The mutual-aid board over the REST API: the pages' rules, bad input refused, the
cost."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.chapters.services import set_section
from chapterhouse.conversations.models import Conversation
from chapterhouse.members.tests.factories import make_member, token_client_for
from chapterhouse.mutualaid.models import Entry, Status
from chapterhouse.mutualaid.tests.factories import make_entry

pytestmark = pytest.mark.django_db

LIST = "/api/v1/mutual-aid/"
HACKNEY = "gb/eng/london/hackney"


def one(entry):
    return f"{LIST}{entry.public_id}/"


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, data, content_type="application/json")


def test_members_only_entries_are_never_listed_for_others(client, member, outsider):
    make_entry(member, title="Open to all", visible_to_everyone=True)
    make_entry(member, title="Members only")
    for other in (client, token_client_for(outsider)):
        body = other.get(LIST, {"chapter": HACKNEY}).json()
        assert [row["title"] for row in body["results"]] == ["Open to all"]
        assert body["count"] == 1
    mine = token_client_for(member).get(LIST, {"chapter": HACKNEY}).json()
    assert [row["title"] for row in mine["results"]] == ["Members only", "Open to all"]


def test_the_boards_filters(member):
    make_entry(member, title="Lift", kind="request", category="rides")
    make_entry(member, title="Tools", kind="offer", category="goods")
    as_member = token_client_for(member)

    def titles(params):
        return [row["title"] for row in
                as_member.get(LIST, {"chapter": HACKNEY, **params}).json()["results"]]

    assert titles({"kind": "offer"}) == ["Tools"]
    assert titles({"category": "rides"}) == ["Lift"]
    assert [row["title"] for row in as_member.get(
        LIST, {"chapter": "gb/eng/london", "subchapters": "true"}).json()["results"]] == [
        "Tools", "Lift"]
    for bad in ({"kind": "gift"}, {"category": "cake"}, {"colour": "red"}, {"page": "0"}):
        assert as_member.get(LIST, {"chapter": HACKNEY, **bad}).status_code == 400, bad
    assert as_member.get(LIST).status_code == 400


def test_a_members_only_entry_or_board_is_404_to_outsiders(client, member, outsider):
    hidden = make_entry(member, title="Members only")
    shown = make_entry(member, title="Open", visible_to_everyone=True)
    as_outsider = token_client_for(outsider)
    assert as_outsider.get(one(hidden)).status_code == 404
    assert client.get(one(hidden)).status_code == 404
    assert post_json(as_outsider, one(hidden) + "reply/", {"body": "Hi"}).status_code == 404
    assert as_outsider.get(one(shown)).status_code == 200
    set_section(chapter=member.home_chapter,
                change={"section": "mutualaid", "visibility": "members"})
    assert as_outsider.get(LIST, {"chapter": HACKNEY}).status_code == 404
    assert as_outsider.get(one(shown)).status_code == 404
    assert not Conversation.objects.exists()


def test_a_member_posts_edits_fulfils_and_deletes(member):
    as_member = token_client_for(member)
    response = post_json(as_member, LIST, {
        "chapter": HACKNEY, "kind": "offer", "category": "skills", "title": "Bike repairs",
        "description": "On *Sundays*."})
    assert response.status_code == 201
    entry = Entry.objects.get()
    assert (entry.author, entry.visible_to_everyone) == (member, False)
    assert response.json()["description_html"] == "<p>On <em>Sundays</em>.</p>"
    changed = patch_json(as_member, one(entry), {"title": "Bike and pram repairs"})
    assert changed.status_code == 200
    entry.refresh_from_db()
    assert (entry.title, entry.kind, entry.description) == (
        "Bike and pram repairs", "offer", "On *Sundays*.")
    assert post_json(as_member, one(entry) + "fulfil/").json()["status"] == "fulfilled"
    assert as_member.delete(one(entry)).status_code == 204
    assert not Entry.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"kind": "gift", "category": "goods", "title": "x"}, "kind"),
    ({"kind": "offer", "category": "goods", "title": ""}, "title"),
    ({"kind": "offer", "category": "goods", "title": "x" * 201}, "title"),
    ({"kind": "offer", "category": "goods", "title": "x", "expires_on": "2000-01-01"},
     "expires_on"),
    ({"kind": "offer", "category": "goods", "title": "x", "status": "fulfilled"}, "status"),
    ({"kind": "offer", "category": "goods", "title": "x", "visible_to_everyone": "maybe"},
     "visible_to_everyone"),
])
def test_bad_entries_are_400_and_nothing_is_stored(member, data, field):
    response = post_json(token_client_for(member), LIST, {"chapter": HACKNEY, **data})
    assert response.status_code == 400 and field in response.json()
    assert not Entry.objects.exists()


def test_bad_edits_are_400_and_change_nothing(member):
    entry = make_entry(member)
    as_member = token_client_for(member)
    far = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    for data, field in [({"title": ""}, "title"), ({"expires_on": far}, "expires_on"),
                        ({"author": "x"}, "author"), ({"category": "cake"}, "category")]:
        response = patch_json(as_member, one(entry), data)
        assert response.status_code == 400 and field in response.json(), data
    unchanged = Entry.objects.get()
    assert (unchanged.title, unchanged.category, unchanged.updated_at) == (
        entry.title, entry.category, entry.updated_at)


def test_writing_needs_credentials_and_the_pages_rules(client, member, neighbour, outsider):
    entry = make_entry(member, visible_to_everyone=True)
    data = {"chapter": HACKNEY, "kind": "offer", "category": "goods", "title": "x"}
    assert post_json(client, LIST, data).status_code == 401
    assert patch_json(client, one(entry), {"title": "x"}).status_code == 401
    assert client.delete(one(entry)).status_code == 401
    assert post_json(client, one(entry) + "reply/", {"body": "Hi"}).status_code == 401
    assert post_json(token_client_for(outsider), LIST, data).status_code == 403
    as_neighbour = token_client_for(neighbour)
    assert patch_json(as_neighbour, one(entry), {"title": "x"}).status_code == 403
    assert as_neighbour.delete(one(entry)).status_code == 403
    assert post_json(as_neighbour, one(entry) + "fulfil/").status_code == 403
    assert post_json(as_neighbour, one(entry) + "remove/", {"reason": "x"}).status_code == 403
    assert Entry.objects.get().status == Status.OPEN
    assert Entry.objects.count() == 1


def test_a_facilitator_removes_with_a_reason(member, facilitator):
    entry = make_entry(member)
    as_facilitator = token_client_for(facilitator)
    assert post_json(as_facilitator, one(entry) + "remove/", {}).status_code == 400
    removed = post_json(as_facilitator, one(entry) + "remove/", {"reason": "Off topic"})
    assert removed.status_code == 200 and removed.json()["status"] == "removed"


def test_a_private_reply_starts_a_conversation(member, neighbour):
    entry = make_entry(member)
    as_neighbour = token_client_for(neighbour)
    assert post_json(as_neighbour, one(entry) + "reply/", {"body": ""}).status_code == 400
    assert post_json(as_neighbour, one(entry) + "reply/", {"body": "Hi", "to": "x"}
                     ).status_code == 400
    assert not Conversation.objects.exists()
    response = post_json(as_neighbour, one(entry) + "reply/", {"body": "I can drive."})
    assert response.status_code == 201
    conversation = Conversation.objects.get()
    body = response.json()
    assert body["conversation"] == str(conversation.public_id)
    assert body["web_url"] == conversation.get_absolute_url()
    messages = as_neighbour.get(body["messages_url"]).json()
    assert messages["results"][0]["body"] == "I can drive."
    # Its author does not reply to themselves.
    assert post_json(token_client_for(member), one(entry) + "reply/", {"body": "x"}
                     ).status_code == 403


def _count(client, params):
    client.get(LIST, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member"])
def test_the_board_costs_the_same_whatever_the_number(request, persona, member):
    client = Client() if persona is None else token_client_for(request.getfixturevalue(persona))
    make_entry(member, visible_to_everyone=True)
    small = _count(client, {"chapter": HACKNEY})
    for index in range(6):
        author = make_member(f"Author {index}", city="London", neighbourhood="Hackney")
        make_entry(author, title=f"Entry {index}", visible_to_everyone=bool(index % 2))
    assert _count(client, {"chapter": HACKNEY}) == small
