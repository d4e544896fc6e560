"""The library and lessons over the REST API: the pages' rules, the upload checks,
bad input refused, the cost."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.services import set_section
from chapterhouse.members.tests.factories import make_member, token_client_for
from chapterhouse.resources.models import Lesson, LessonHelp, Resource, Visibility
from chapterhouse.resources.tests.factories import (
    PDF,
    make_file,
    make_lesson,
    make_link,
    upload,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/resources/"
LESSONS = "/api/v1/lessons/"
HACKNEY = "gb/eng/london/hackney"


def one(resource):
    return f"{LIST}{resource.public_id}/"


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_anyone_lists_the_public_resources_and_members_see_all(client, member):
    make_link(member, title="Guide", tags="training, flyers")
    make_link(member, title="Secret", visibility=Visibility.MEMBERS)
    public = client.get(LIST, {"chapter": HACKNEY}).json()
    assert [row["title"] for row in public["results"]] == ["Guide"]
    assert public["results"][0]["tags"] == ["flyers", "training"]
    mine = token_client_for(member).get(LIST, {"chapter": HACKNEY}).json()
    assert [row["title"] for row in mine["results"]] == ["Secret", "Guide"]
    tagged = token_client_for(member).get(LIST, {"chapter": HACKNEY, "tag": "Training"}).json()
    assert [row["title"] for row in tagged["results"]] == ["Guide"]
    assert client.get(LIST).status_code == 400
    assert client.get(LIST, {"chapter": "gb/nowhere"}).status_code == 404


def test_a_members_only_resource_or_library_is_404_to_outsiders(client, member, outsider):
    secret = make_link(member, title="Secret", visibility=Visibility.MEMBERS)
    public = make_link(member, title="Guide")
    as_outsider = token_client_for(outsider)
    assert as_outsider.get(one(secret)).status_code == 404
    assert client.get(one(secret)).status_code == 404
    assert token_client_for(member).get(one(secret)).status_code == 200
    set_section(chapter=member.home_chapter,
                change={"section": "resources", "visibility": "members"})
    assert as_outsider.get(LIST, {"chapter": HACKNEY}).status_code == 404
    assert as_outsider.get(one(public)).status_code == 404


def test_a_file_is_described_and_downloaded_only_through_its_checked_address(client, member):
    flyer = make_file(member, title="Flyer", name="flyer.pdf")
    body = client.get(one(flyer)).json()
    assert body["url"] == ""
    assert body["file"]["filename"] == "flyer.pdf"
    assert body["file"]["content_type"] == "application/pdf"
    assert body["file"]["download_url"] == flyer.get_download_url()
    assert client.get(body["file"]["download_url"]).status_code == 200
    link = make_link(member)
    assert client.get(one(link)).json()["file"] is None


def test_a_member_adds_a_link_by_json_and_a_file_by_multipart(member):
    as_member = token_client_for(member)
    response = post_json(as_member, LIST, {
        "chapter": HACKNEY, "title": "Guide", "url": "https://example.org/g",
        "tags": "training", "visibility": "members"})
    assert response.status_code == 201
    assert response.json()["tags"] == ["training"]
    response = as_member.post(LIST, {"chapter": HACKNEY, "title": "Flyer",
                                     "file": upload("flyer.pdf", PDF)})
    assert response.status_code == 201, response.json()
    stored = Resource.objects.get(title="Flyer")
    assert (stored.content_type, stored.filename) == ("application/pdf", "flyer.pdf")


@pytest.mark.parametrize("data, field", [
    ({"chapter": HACKNEY, "title": "x", "url": "javascript:alert(1)"}, "non_field_errors"),
    ({"chapter": HACKNEY, "title": "x"}, "non_field_errors"),  # neither link nor file
    ({"chapter": HACKNEY, "title": "", "url": "https://example.org"}, "title"),
    ({"chapter": HACKNEY, "title": "x", "url": "https://e.org", "visibility": "all"},
     "visibility"),
    ({"chapter": HACKNEY, "title": "x", "url": "https://e.org", "author": "me"}, "author"),
    ({"chapter": HACKNEY, "title": "x", "file": "not a file"}, "file"),
])
def test_bad_resources_are_400_and_nothing_is_stored(member, data, field):
    response = post_json(token_client_for(member), LIST, data)
    assert response.status_code == 400 and field in response.json()
    assert not Resource.objects.exists()


def test_a_file_the_page_refuses_the_api_refuses(member, settings):
    as_member = token_client_for(member)
    page = upload("page.html", b"<html><script>alert(1)</script></html>")
    response = as_member.post(LIST, {"chapter": HACKNEY, "title": "x", "file": page})
    assert response.status_code == 400 and "non_field_errors" in response.json()
    both = as_member.post(LIST, {"chapter": HACKNEY, "title": "x", "url": "https://e.org",
                                 "file": upload("flyer.pdf", PDF)})
    assert both.status_code == 400
    settings.RESOURCE_FILE_MAX_BYTES = 10
    big = as_member.post(LIST, {"chapter": HACKNEY, "title": "x",
                                "file": upload("flyer.pdf", PDF)})
    assert big.status_code == 400
    assert not Resource.objects.exists()


def test_writing_needs_credentials_and_membership(client, outsider, member):
    resource = make_link(member)
    data = {"chapter": HACKNEY, "title": "x", "url": "https://example.org"}
    assert post_json(client, LIST, data).status_code == 401
    assert post_json(client, one(resource) + "remove/", {"reason": "x"}).status_code == 401
    assert post_json(token_client_for(outsider), LIST, data).status_code == 403
    assert post_json(token_client_for(member), one(resource) + "remove/",
                     {"reason": "spam"}).status_code == 403
    assert Resource.objects.count() == 1


def test_a_facilitator_removes_with_a_reason(facilitator, member):
    resource = make_link(member)
    as_facilitator = token_client_for(facilitator)
    assert post_json(as_facilitator, one(resource) + "remove/", {}).status_code == 400
    assert post_json(as_facilitator, one(resource) + "remove/", {"reason": " "}
                     ).status_code == 400
    assert Resource.objects.exists()
    assert post_json(as_facilitator, one(resource) + "remove/", {"reason": "Out of date"}
                     ).status_code == 204
    assert not Resource.objects.exists()


def test_lessons_are_listed_by_topic_and_place(client, member, outsider):
    make_lesson(member, title="Hackney lesson", topic="campaigns")
    make_lesson(outsider, title="Lyon lesson")
    titles = [row["title"] for row in client.get(LESSONS).json()["results"]]
    assert titles == ["Lyon lesson", "Hackney lesson"]
    by_topic = client.get(LESSONS, {"topic": "campaigns"}).json()["results"]
    assert [row["title"] for row in by_topic] == ["Hackney lesson"]
    by_place = client.get(LESSONS, {"place": "gb"}).json()["results"]
    assert [row["title"] for row in by_place] == ["Hackney lesson"]
    assert client.get(LESSONS, {"topic": "cooking"}).status_code == 400
    assert client.get(LESSONS, {"topic": ""}).status_code == 400  # the schema: one of them
    assert client.get(LESSONS, {"place": "gb/nowhere"}).status_code == 404


def test_a_member_writes_a_lesson_and_another_chapter_says_it_helped(member, outsider, client):
    response = post_json(token_client_for(member), LESSONS, {
        "chapter": HACKNEY, "title": "Pairs", "body": "Go in **pairs**.",
        "topic": "organising"})
    assert response.status_code == 201
    lesson = Lesson.objects.get()
    url = f"{LESSONS}{lesson.public_id}/"
    assert client.get(url).json()["body_html"] == "<p>Go in <strong>pairs</strong>.</p>"
    assert post_json(token_client_for(member), url + "helped/").status_code == 403
    assert post_json(client, url + "helped/").status_code == 401
    helped = post_json(token_client_for(outsider), url + "helped/")
    assert helped.status_code == 200 and helped.json()["helped_count"] == 1
    again = post_json(token_client_for(outsider), url + "helped/")
    assert again.status_code == 400
    assert LessonHelp.objects.count() == 1


@pytest.mark.parametrize("data, field", [
    ({"chapter": HACKNEY, "title": "x", "body": "y", "topic": "cooking"}, "topic"),
    ({"chapter": HACKNEY, "title": "x", "body": "", "topic": "other"}, "body"),
    ({"chapter": HACKNEY, "title": "x", "body": "y" * 20_001, "topic": "other"},
     "non_field_errors"),
    ({"chapter": HACKNEY, "title": "x", "body": "y", "topic": "other", "helped_count": 9},
     "helped_count"),
])
def test_bad_lessons_are_400_and_nothing_is_stored(member, data, field):
    response = post_json(token_client_for(member), LESSONS, data)
    assert response.status_code == 400 and field in response.json()
    assert not Lesson.objects.exists()


def test_only_a_chapters_members_write_its_lessons(outsider, member):
    response = post_json(token_client_for(outsider), LESSONS, {
        "chapter": HACKNEY, "title": "x", "body": "y", "topic": "other"})
    assert response.status_code == 403
    assert not Lesson.objects.exists()


def _count(client, url, params):
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member"])
def test_the_lists_cost_the_same_whatever_the_number(request, persona, member):
    client = Client() if persona is None else token_client_for(request.getfixturevalue(persona))
    make_link(member, tags="one")
    make_lesson(member)
    small = _count(client, LIST, {"chapter": HACKNEY})
    small_lessons = _count(client, LESSONS, {"place": "gb"})
    for index in range(5):
        author = make_member(f"Author {index}", city="London", neighbourhood="Hackney")
        make_link(author, title=f"Link {index}", tags=f"t{index}, shared",
                  visibility=Visibility.MEMBERS if index % 2 else Visibility.PUBLIC)
        make_file(author, title=f"File {index}")
        make_lesson(author, title=f"Lesson {index}")
    assert _count(client, LIST, {"chapter": HACKNEY}) == small
    assert _count(client, LESSONS, {"place": "gb"}) == small_lessons
