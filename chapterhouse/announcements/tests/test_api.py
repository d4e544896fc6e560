"""Announcements over the REST API: the pages' rules, bad input refused, the cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.announcements import services
from chapterhouse.announcements.models import Announcement
from chapterhouse.audit.models import AuditEntry
from chapterhouse.members.tests.factories import make_member, token_client_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/announcements/"
HACKNEY = "gb/eng/london/hackney"


def one(announcement):
    return f"{LIST}{announcement.public_id}/"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def sent(facilitator):
    return services.announce(chapter=facilitator.home_chapter, author=facilitator,
                             title="Picnic", body="Bring **bread**.")


def test_anyone_lists_what_the_chapter_page_shows(client, sent, facilitator):
    londoner = make_member("Lou", city="London")
    services.announce(chapter=londoner.home_chapter, author=londoner, title="All London",
                      body="x", reaches_subchapters=True)
    services.announce(chapter=londoner.home_chapter, author=londoner, title="Only London",
                      body="x")
    gone = services.announce(chapter=facilitator.home_chapter, author=facilitator,
                             title="Gone", body="x")
    services.withdraw_announcement(announcement=gone, member=facilitator)
    body = client.get(LIST, {"chapter": HACKNEY}).json()
    assert [row["title"] for row in body["results"]] == ["All London", "Picnic"]
    row = body["results"][1]
    assert row["body_html"] == "<p>Bring <strong>bread</strong>.</p>"
    assert row["author"]["display_name"] == "Fay Facilitator"
    assert row["chapter"]["url_path"] == HACKNEY
    assert row["web_url"] == sent.get_absolute_url()
    assert body["count"] == 2


def test_the_list_needs_a_known_chapter_and_a_whole_page_number(client, sent):
    assert client.get(LIST).status_code == 400
    assert client.get(LIST, {"chapter": "gb/nowhere"}).status_code == 404
    assert client.get(LIST, {"chapter": HACKNEY, "page": "abc"}).status_code == 400
    assert client.get(LIST, {"chapter": "international"}).status_code == 200


def test_anyone_retrieves_one_and_unknown_ids_are_404(client, sent):
    assert client.get(one(sent)).json()["title"] == "Picnic"
    assert client.get(f"{LIST}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(f"{LIST}not-a-uuid/").status_code == 404


def test_a_facilitator_announces(facilitator, member):
    response = post_json(token_client_for(facilitator), LIST, {
        "chapter": HACKNEY, "title": "By API", "body": "Text"})
    assert response.status_code == 201
    announcement = Announcement.objects.get()
    assert response.json()["public_id"] == str(announcement.public_id)
    assert (announcement.title, announcement.author) == ("By API", facilitator)
    assert AuditEntry.objects.filter(action="announcements.announce").exists()


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_those_who_may_not_announce_get_403_and_nothing_is_stored(request, persona,
                                                                facilitator):
    client = token_client_for(request.getfixturevalue(persona))
    response = post_json(client, LIST, {"chapter": HACKNEY, "title": "x", "body": "y"})
    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_without_credentials_writing_is_401(client, sent):
    assert post_json(client, LIST, {"chapter": HACKNEY, "title": "x", "body": "y"}
                     ).status_code == 401
    assert patch_json(client, one(sent), {"title": "x"}).status_code == 401
    assert post_json(client, one(sent) + "withdraw/", {}).status_code == 401
    assert Announcement.objects.get().title == "Picnic"


@pytest.mark.parametrize("data, field", [
    ({"chapter": HACKNEY, "title": "", "body": "y"}, "title"),
    ({"chapter": HACKNEY, "title": "  ", "body": "y"}, "title"),
    ({"chapter": HACKNEY, "title": "x" * 201, "body": "y"}, "non_field_errors"),
    ({"chapter": HACKNEY, "title": "x"}, "body"),
    ({"chapter": HACKNEY, "title": "x", "body": "y", "author": "someone"}, "author"),
])
def test_bad_announcements_are_400_and_nothing_is_stored(facilitator, data, field):
    response = post_json(token_client_for(facilitator), LIST, data)
    assert response.status_code == 400 and field in response.json()
    assert not Announcement.objects.exists()


def test_the_author_edits(sent, facilitator):
    response = patch_json(token_client_for(facilitator), one(sent), {"title": "Moved"})
    assert response.status_code == 200
    assert response.json()["title"] == "Moved" and response.json()["edited_at"]
    changed = Announcement.objects.get()
    assert (changed.title, changed.body) == ("Moved", "Bring **bread**.")


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"body": "x" * 20_001}, "non_field_errors"),
    ({"title": "Picnic"}, "non_field_errors"),  # nothing changed
    ({"withdrawn_at": "2020-01-01T00:00:00Z"}, "withdrawn_at"),
])
def test_bad_edits_are_400_and_change_nothing(sent, facilitator, data, field):
    response = patch_json(token_client_for(facilitator), one(sent), data)
    assert response.status_code == 400 and field in response.json()
    unchanged = Announcement.objects.get()
    assert (unchanged.title, unchanged.edited_at, unchanged.withdrawn_at) == (
        "Picnic", None, None)


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_someone_elses_announcement_is_403_and_unchanged(request, persona, sent):
    client = token_client_for(request.getfixturevalue(persona))
    assert patch_json(client, one(sent), {"title": "Hijack"}).status_code == 403
    assert post_json(client, one(sent) + "withdraw/", {}).status_code == 403
    unchanged = Announcement.objects.get()
    assert unchanged.title == "Picnic" and not unchanged.is_withdrawn


def test_the_author_withdraws_and_it_says_only_that(sent, facilitator, client):
    response = post_json(token_client_for(facilitator), one(sent) + "withdraw/",
                         {"reason": "Rain"})
    assert response.status_code == 200
    body = client.get(one(sent)).json()
    assert (body["title"], body["body"], body["body_html"], body["author"]) == (
        None, None, None, None)
    assert body["withdrawn_by"]["display_name"] == "Fay Facilitator"
    assert body["withdrawal_reason"] == "Rain" and body["withdrawn_at"]
    assert client.get(LIST, {"chapter": HACKNEY}).json()["count"] == 0
    again = post_json(token_client_for(facilitator), one(sent) + "withdraw/", {})
    assert again.status_code == 403
    assert AuditEntry.objects.filter(action="announcements.withdraw").count() == 1


def test_a_too_long_reason_is_400(sent, facilitator):
    response = post_json(token_client_for(facilitator), one(sent) + "withdraw/",
                         {"reason": "x" * 501})
    assert response.status_code == 400 and "reason" in response.json()
    assert not Announcement.objects.get().is_withdrawn


def _count(client, params):
    client.get(LIST, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member", "facilitator"])
def test_the_list_costs_the_same_whatever_the_number(request, persona, facilitator):
    from django.test import Client

    client = Client() if persona is None else token_client_for(
        request.getfixturevalue(persona))
    londoner = make_member("Lou", city="London")
    services.announce(chapter=facilitator.home_chapter, author=facilitator, title="One",
                      body="x")
    small = _count(client, {"chapter": HACKNEY})
    for index in range(6):
        author = make_member(f"Author {index}", city="London", neighbourhood="Hackney")
        services.announce(chapter=facilitator.home_chapter, author=author,
                          title=f"Many {index}", body="x")
        services.announce(chapter=londoner.home_chapter, author=londoner,
                          title=f"Above {index}", body="y", reaches_subchapters=True)
    assert _count(client, {"chapter": HACKNEY}) == small
