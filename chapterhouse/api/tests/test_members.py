"""/api/v1/members/: the directory and public profiles, seen exactly as on the web."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.members.models import Member, Visibility
from chapterhouse.members.services import update_profile
from chapterhouse.members.tests.factories import make_member

from .conftest import token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/members/"


def detail(member: Member) -> str:
    return f"/api/v1/members/{member.public_id}/"


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["display_name"] for row in response.json()["results"]}


@pytest.fixture
def people(member, facilitator, outsider) -> dict[str, Member]:
    """A public, a members-only, a hidden and an unlisted member, besides the personas."""
    return {
        "public": update_profile(
            member=make_member("Pia Public", city="Leeds"), profile_visibility=Visibility.PUBLIC
        ),
        "members": make_member("Mo Members", city="Leeds"),
        "hidden": update_profile(
            member=make_member("Hal Hidden", city="Leeds"), profile_visibility=Visibility.HIDDEN
        ),
        "unlisted": update_profile(
            member=make_member("Una Unlisted", city="Leeds"),
            profile_visibility=Visibility.PUBLIC, listed_in_directory=False,
        ),
    }


def test_anonymous_visitors_see_only_public_listed_members(client, people):
    assert names(client.get(LIST)) == {"Pia Public"}


def test_an_outsider_sees_public_and_members_only_profiles(outsider_client, people):
    assert names(outsider_client.get(LIST)) == {
        "Pia Public", "Mo Members", "Ada Member", "Fay Facilitator", "Oscar Outsider",
    }


def test_a_member_sees_the_same_directory_with_a_token(member_token_client, people):
    assert names(member_token_client.get(LIST)) == {
        "Pia Public", "Mo Members", "Ada Member", "Fay Facilitator", "Oscar Outsider",
    }


def test_a_hidden_member_sees_themselves_in_the_list(people):
    listed = names(token_client(people["hidden"]).get(LIST))
    assert "Hal Hidden" in listed


def test_a_deactivated_member_is_not_listed_nor_shown(outsider_client, people):
    people["public"].user.is_active = False
    people["public"].user.save()
    assert "Pia Public" not in names(outsider_client.get(LIST))
    assert outsider_client.get(detail(people["public"])).status_code == 404


def test_the_list_is_filtered_by_chapter_including_sub_chapters(member_client, people):
    assert names(member_client.get(LIST, {"chapter": "gb/eng/london"})) == {
        "Ada Member", "Fay Facilitator",
    }
    assert names(member_client.get(LIST, {"chapter": "gb/eng/leeds"})) == {
        "Pia Public", "Mo Members",
    }
    assert "Oscar Outsider" in names(member_client.get(LIST, {"chapter": "international"}))


def test_an_unknown_chapter_filter_is_a_clear_error(member_client, people):
    response = member_client.get(LIST, {"chapter": "gb/eng/atlantis"})
    assert response.status_code == 400
    assert response.json() == {"chapter": ["There is no such chapter."]}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("public", {"client": 200, "outsider_client": 200, "member_client": 200}),
        ("members", {"client": 404, "outsider_client": 200, "member_client": 200}),
        ("hidden", {"client": 404, "outsider_client": 404, "member_client": 404}),
        # Not listed is not hidden: the profile itself stays visible.
        ("unlisted", {"client": 200, "outsider_client": 200, "member_client": 200}),
    ],
)
def test_who_may_see_a_profile(request, people, who, expected):
    seen = {
        persona: request.getfixturevalue(persona).get(detail(people[who])).status_code
        for persona in expected
    }
    assert seen == expected


def test_a_hidden_member_sees_their_own_profile(people):
    assert token_client(people["hidden"]).get(detail(people["hidden"])).status_code == 200


def test_an_unknown_or_malformed_id_is_not_found(client):
    assert client.get(f"/api/v1/members/{uuid.uuid4()}/").status_code == 404
    assert client.get("/api/v1/members/123/").status_code == 404


def test_a_profile_has_public_fields_only(outsider_client, member):
    body = outsider_client.get(detail(member)).json()
    assert set(body) == {
        "public_id", "display_name", "web_url", "avatar", "joined_at", "country", "region",
        "city", "neighbourhood", "home_chapter", "bio", "bio_html", "languages",
        "is_online", "last_seen",
    }
    assert body["display_name"] == "Ada Member"
    assert body["web_url"] == f"http://testserver/m/{member.public_id}/"
    assert body["home_chapter"] == {
        "url_path": "gb/eng/london/hackney", "name": "Hackney", "level": 4,
    }
    assert body["country"] == {"code": "GB", "name": "United Kingdom"}
    assert body["city"] == "London"
    assert body["neighbourhood"] == "Hackney"
    assert "email" not in str(body)


def test_hidden_parts_are_null_for_others(outsider_client, member):
    update_profile(
        member=member, bio="Hello **there**", languages=["en", "es"], show_bio=False,
        show_languages=False, show_presence=False, show_location=False,
    )
    Member.objects.filter(pk=member.pk).update(last_seen=timezone.now())
    body = outsider_client.get(detail(member)).json()
    for name in ["bio", "bio_html", "languages", "is_online", "last_seen", "city",
                 "neighbourhood", "home_chapter"]:
        assert body[name] is None, name
    # Country and region are chapters the member belongs to: always shown, as on the web.
    assert body["country"]["code"] == "GB"
    assert body["region"]["code"] == "GB-ENG"


def test_shown_parts_are_there_and_the_bio_is_sanitised(outsider_client, member):
    update_profile(member=member, bio="Hi <script>alert(1)</script> [x](javascript:alert(1))",
                   languages=["en", "es"])
    Member.objects.filter(pk=member.pk).update(last_seen=timezone.now() - timedelta(minutes=1))
    body = outsider_client.get(detail(member)).json()
    assert body["languages"] == ["en", "es"]
    assert body["is_online"] is True
    assert body["last_seen"] is not None
    assert body["bio"].startswith("Hi <script>")
    assert "<script" not in body["bio_html"]
    assert "javascript:" not in body["bio_html"]


def test_the_owner_sees_their_hidden_parts(member, member_client):
    update_profile(member=member, bio="Mine", show_bio=False, show_location=False)
    body = member_client.get(detail(member)).json()
    assert body["bio"] == "Mine"
    assert body["city"] == "London"


def test_the_list_uses_the_same_fields(outsider_client, member):
    update_profile(member=member, bio="Mine", show_bio=False)
    row = next(r for r in outsider_client.get(LIST).json()["results"]
               if r["display_name"] == "Ada Member")
    assert row["bio"] is None
    assert row["city"] == "London"


def test_the_list_is_paginated(member_client, member):
    for index in range(55):
        make_member(f"Person {index:02d}", city="York")
    first = member_client.get(LIST).json()
    assert first["count"] == 56
    assert len(first["results"]) == 50
    assert first["next"].endswith("?page=2")
    assert len(member_client.get(first["next"]).json()["results"]) == 6


def test_writing_to_the_directory_is_not_allowed(member_client, member):
    assert member_client.post(LIST, {}).status_code == 405
    assert member_client.patch(detail(member), {}, content_type="application/json"
                               ).status_code == 405
    assert member_client.delete(detail(member)).status_code == 405
    assert Member.objects.filter(pk=member.pk).exists()


def _grow(size: int) -> None:
    for index in range(size):
        person = make_member(f"Person {index}", city=["Leeds", "York"][index % 2],
                             neighbourhood=f"Quarter {index % 3}")
        update_profile(member=person, profile_visibility=Visibility.PUBLIC,
                       languages=["en"], bio="Hello")


def _queries(client, path: str) -> int:
    client.get(path)  # warm up: session, presence
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["client", "member_client", "member_token_client"])
@pytest.mark.parametrize("path", [LIST, LIST + "?chapter=gb/eng"])
def test_the_directory_runs_a_constant_number_of_queries(request, member, persona, path):
    client = request.getfixturevalue(persona)
    _grow(3)
    small = _queries(client, path)
    _grow(20)
    assert _queries(client, path) == small
    assert small <= 8, small
