"""/api/v1/me/: your own profile, read and changed, with strict validation."""

import json

import pytest
from django.test import Client

from chapterhouse.members.models import Member, User, Visibility

from .conftest import token_client

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def patch(client: Client, data: object):
    return client.patch(ME, json.dumps(data), content_type="application/json")


def snapshot(member: Member) -> dict[str, object]:
    member.refresh_from_db()
    return {field: getattr(member, field) for field in [
        "display_name", "bio", "languages", "profile_visibility", "listed_in_directory",
        "show_bio", "show_languages", "show_presence", "show_location", "home_chapter_id",
    ]}


def test_anonymous_visitors_have_no_profile_here(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert patch(client, {"bio": "x"}).status_code == 401


def test_a_bad_token_is_refused(member):
    response = Client(HTTP_AUTHORIZATION="Token not-a-real-token").get(ME)
    assert response.status_code == 401


def test_a_user_without_a_member_profile_gets_404(db):
    staff = User.objects.create_user("staff@example.org", "pw-staff-long-enough")
    client = Client()
    client.force_login(staff)
    assert client.get(ME).status_code == 404


@pytest.mark.parametrize("persona", ["member_client", "member_token_client"])
def test_a_member_reads_their_whole_profile(request, member, persona):
    body = request.getfixturevalue(persona).get(ME).json()
    assert body["public_id"] == str(member.public_id)
    assert body["display_name"] == "Ada Member"
    assert body["home_chapter"]["url_path"] == "gb/eng/london/hackney"
    assert body["profile_visibility"] == Visibility.MEMBERS
    assert body["neighbourhood"] == "Hackney"
    assert "email" not in body


def test_the_outsider_reads_their_own_profile_not_another(outsider_client, outsider):
    assert outsider_client.get(ME).json()["display_name"] == "Oscar Outsider"


@pytest.mark.parametrize("persona", ["member_client", "member_token_client"])
def test_a_member_changes_what_they_send(request, member, persona):
    response = patch(request.getfixturevalue(persona), {
        "display_name": "  Ada   Lovelace ",
        "bio": "I write **notes**.",
        "languages": ["en", "FR", "en"],
        "profile_visibility": "public",
        "show_presence": False,
    })
    assert response.status_code == 200, response.content
    assert response.json()["display_name"] == "Ada Lovelace"
    after = snapshot(member)
    assert after["display_name"] == "Ada Lovelace"
    assert after["bio"] == "I write **notes**."
    assert after["languages"] == ["en", "fr"]
    assert after["profile_visibility"] == Visibility.PUBLIC
    assert after["show_presence"] is False
    assert after["show_bio"] is True  # not sent, not changed


def test_a_patch_through_the_session_needs_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    before = snapshot(member)
    response = patch(client, {"bio": "changed"})
    assert response.status_code == 403
    assert snapshot(member) == before


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"display_name": "   "}, {"display_name"}),
        ({"display_name": "x" * 81}, {"display_name"}),
        ({"display_name": "Ada\u0000"}, {"display_name"}),
        ({"bio": "x" * 4001}, {"bio"}),
        ({"languages": ["en", "klingon"]}, {"languages"}),
        ({"languages": "en"}, {"languages"}),
        ({"languages": ["en"] * 21}, {"languages"}),
        ({"profile_visibility": "everyone"}, {"profile_visibility"}),
        ({"show_bio": "perhaps"}, {"show_bio"}),
        ({"bio": "fine", "display_name": ""}, {"display_name"}),
    ],
)
def test_bad_values_are_refused_with_field_messages(member, member_client, data, errors):
    before = snapshot(member)
    response = patch(member_client, data)
    assert response.status_code == 400
    assert set(response.json()) == errors
    assert all(isinstance(message, str) for field in errors
               for message in (response.json()[field] if isinstance(response.json()[field], list)
                               else [response.json()[field]]))
    assert snapshot(member) == before


@pytest.mark.parametrize(
    "data",
    [
        {"is_staff": True},
        {"role": "facilitator"},
        {"home_chapter": "fr/ara/lyon"},
        {"public_id": "00000000-0000-4000-8000-000000000000"},
        {"joined_at": "2000-01-01T00:00:00Z"},
        {"email": "new@example.org"},
        {"bio": "sneaky", "user": 1},
    ],
)
def test_unknown_and_read_only_fields_are_refused_and_nothing_is_stored(
    member, member_client, data
):
    before = snapshot(member)
    user_before = User.objects.values().get(pk=member.user_id)
    response = patch(member_client, data)
    assert response.status_code == 400
    unknown = set(data) - {"bio"}
    assert set(response.json()) == unknown
    assert response.json()[unknown.pop()] == ["This field cannot be changed here."]
    assert snapshot(member) == before
    assert User.objects.values().get(pk=member.user_id) == user_before


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json"])
def test_a_body_that_is_not_an_object_is_refused(member, member_client, body):
    before = snapshot(member)
    response = member_client.patch(ME, body, content_type="application/json")
    assert response.status_code == 400
    assert snapshot(member) == before


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_not_allowed(member, member_client, method):
    response = getattr(member_client, method)(ME, "{}", content_type="application/json")
    assert response.status_code == 405
    assert Member.objects.filter(pk=member.pk).exists()


def test_the_token_of_one_member_changes_only_their_profile(member, outsider):
    response = patch(token_client(outsider), {"bio": "Lyon calling"})
    assert response.status_code == 200
    assert snapshot(outsider)["bio"] == "Lyon calling"
    assert snapshot(member)["bio"] == ""
