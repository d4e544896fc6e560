import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chat import services

pytestmark = pytest.mark.django_db


def history_url(room):
    return f"/api/v1/chat/rooms/{room.public_id}/messages/"


def test_members_read_a_room_history_page_by_page(member_client, member, hackney_room):
    ids = [services.post_message(room=hackney_room, author=member, text=f"m{i}").pk
           for i in range(55)]
    data = member_client.get(history_url(hackney_room)).json()
    assert [m["id"] for m in data["results"]] == ids[5:]
    assert data["older"] == ids[5]
    first = data["results"][0]
    assert first["html"] == "<p>m5</p>" and first["author"] == "Ada Member"
    older = member_client.get(history_url(hackney_room) + f"?before={data['older']}").json()
    assert [m["id"] for m in older["results"]] == ids[:5] and older["older"] is None
    after = member_client.get(history_url(hackney_room) + f"?after={ids[52]}").json()
    assert [m["id"] for m in after["results"]] == ids[53:]


def test_bad_cursors_are_refused(member_client, hackney_room):
    assert member_client.get(history_url(hackney_room) + "?before=abc").status_code == 400
    assert member_client.get(history_url(hackney_room) + "?before=1&after=2").status_code == 400


def test_outsiders_and_strangers_get_404(outsider_client, camden_client, neighbour_client,
                                        client, hackney_room, private_room, member):
    services.post_message(room=private_room, author=member, text="secret")
    for c in (outsider_client, camden_client):
        assert c.get(history_url(hackney_room)).status_code == 404
    response = neighbour_client.get(history_url(private_room))
    assert response.status_code == 404 and "secret" not in response.content.decode()
    assert client.get(history_url(hackney_room)).status_code in (401, 403)
    assert member_client_guess(neighbour_client).status_code == 404


def member_client_guess(c):
    return c.get("/api/v1/chat/rooms/00000000-0000-0000-0000-000000000000/messages/")


def test_my_rooms_with_unread_counts(member_client, member, neighbour, hackney_room,
                                     public_room, private_room):
    services.post_message(room=hackney_room, author=neighbour, text="hi")
    rooms = {r["id"]: r for r in member_client.get("/api/v1/chat/rooms/").json()["results"]}
    assert rooms[str(hackney_room.public_id)]["unread"] == 1
    assert str(private_room.public_id) in rooms and str(public_room.public_id) in rooms


def _count(c, address):
    with CaptureQueriesContext(connection) as queries:
        assert c.get(address).status_code == 200
    return len(queries)


def test_history_costs_the_same_with_more_messages(member_client, member, neighbour,
                                                   hackney_room):
    services.post_message(room=hackney_room, author=neighbour, text="one")
    member_client.get("/api/v1/me/")  # the first request of a session writes more
    few = _count(member_client, history_url(hackney_room))
    for index in range(30):
        services.post_message(room=hackney_room, author=neighbour if index % 2 else member,
                              text=f"m{index}")
    assert _count(member_client, history_url(hackney_room)) == few


def test_room_list_costs_the_same_with_more_rooms(member_client, member):
    services.create_room(chapter=member.home_chapter, creator=member, name="a")
    member_client.get("/api/v1/me/")
    few = _count(member_client, "/api/v1/chat/rooms/")
    for index in range(6):
        room = services.create_room(chapter=member.home_chapter, creator=member, name=f"r{index}")
        services.post_message(room=room, author=member, text="x")
    assert _count(member_client, "/api/v1/chat/rooms/") == few
