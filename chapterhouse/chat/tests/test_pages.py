import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chapterhouse.chat import services
from chapterhouse.chat.models import Message, Room, RoomMember, RoomRead

pytestmark = pytest.mark.django_db


def url(room, name="room", **kwargs):
    return reverse(f"chat:{name}", kwargs={"public_id": room.public_id, **kwargs})


def test_the_index_lists_my_rooms_with_unread_counts(member_client, member, neighbour,
                                                    public_room):
    hackney = services.chapter_room(chapter=member.home_chapter)
    services.post_message(room=hackney, author=neighbour, text="one")
    services.post_message(room=hackney, author=neighbour, text="two")
    response = member_client.get(reverse("chat:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Garden group" in text and "Hackney" in text and "International" in text
    assert "2 unread messages" in text
    # The member's chapters' rooms are open now.
    assert Room.objects.filter(is_chapter_room=True).count() == 5


def test_the_index_offers_public_rooms_to_join(neighbour_client, public_room, private_room):
    text = neighbour_client.get(reverse("chat:index")).content.decode()
    assert "Rooms you can join" in text and "Garden group" in text
    assert "Treasurers" not in text


def test_anonymous_visitors_are_sent_to_sign_in(client, public_room):
    for address in [reverse("chat:index"), url(public_room)]:
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_room_page_shows_history_and_marks_it_read(member_client, member, neighbour,
                                                      hackney_room):
    message = services.post_message(room=hackney_room, author=neighbour, text="**Hi** there")
    response = member_client.get(url(hackney_room))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<strong>Hi</strong> there" in text and "js/chat.js" in text
    assert RoomRead.objects.get(member=member, room=hackney_room).last_read_message_id == message.pk


def test_older_messages_link_pages_backwards(member_client, member, hackney_room):
    ids = [services.post_message(room=hackney_room, author=member, text=f"number {i}").pk
           for i in range(55)]
    text = member_client.get(url(hackney_room)).content.decode()
    assert "number 54" in text and "number 4<" not in text
    assert f"?before={ids[5]}" in text
    older = member_client.get(url(hackney_room) + f"?before={ids[5]}").content.decode()
    assert "number 4<" in older and "number 5<" not in older and "Older messages" not in older


def test_posting_without_javascript(member_client, hackney_room):
    response = member_client.post(url(hackney_room, "post"), {"text": "By form"})
    assert response.status_code == 302 and response["Location"].endswith("#latest")
    assert Message.objects.get().body == "By form"


def test_an_empty_or_oversized_post_shows_the_error_and_stores_nothing(member_client,
                                                                        hackney_room):
    response = member_client.post(url(hackney_room, "post"), {"text": "   "})
    assert response.status_code == 400
    response = member_client.post(url(hackney_room, "post"), {"text": "x" * 5000})
    assert response.status_code == 400
    assert "at most 4,000 characters" in response.content.decode()
    assert not Message.objects.exists()


def test_outsiders_see_no_room_and_post_nothing(outsider_client, camden_client, public_room,
                                                private_room, hackney_room, neighbour_client):
    for client in (outsider_client, camden_client):
        for room in (public_room, private_room, hackney_room):
            assert client.get(url(room)).status_code == 404
            assert client.post(url(room, "post"), {"text": "hi"}).status_code == 404
            assert client.post(url(room, "join")).status_code == 404
    # A Hackney member not invited to the private room: as if it did not exist.
    assert neighbour_client.get(url(private_room)).status_code == 404
    assert neighbour_client.post(url(private_room, "post"), {"text": "hi"}).status_code == 404
    # The public room is seen, but written in only once joined.
    assert neighbour_client.get(url(public_room)).status_code == 200
    assert neighbour_client.post(url(public_room, "post"), {"text": "hi"}).status_code == 403
    assert not Message.objects.exists()
    assert client_for_guessed(neighbour_client).status_code == 404


def client_for_guessed(client):
    return client.get("/chat/00000000-0000-0000-0000-000000000000/")


def test_join_invite_and_leave(neighbour_client, member_client, neighbour, public_room,
                               private_room):
    assert neighbour_client.post(url(public_room, "join")).status_code == 302
    assert RoomMember.objects.filter(room=public_room, member=neighbour).exists()
    assert neighbour_client.post(url(public_room, "leave")).status_code == 302
    assert not RoomMember.objects.filter(room=public_room, member=neighbour).exists()
    response = member_client.post(url(private_room, "invite"), {"name": "nobody at all"},
                                  follow=True)
    assert "No member of Hackney has this name." in response.content.decode()
    member_client.post(url(private_room, "invite"), {"name": "nell neighbour"})
    assert RoomMember.objects.filter(room=private_room, member=neighbour).exists()


def test_the_author_edits_and_deletes_others_cannot(member_client, neighbour_client, member,
                                                    hackney_room):
    message = services.post_message(room=hackney_room, author=member, text="typo")
    edit = url(hackney_room, "edit", message_id=message.public_id)
    delete = url(hackney_room, "delete", message_id=message.public_id)
    assert neighbour_client.get(edit).status_code == 403
    assert neighbour_client.post(edit, {"text": "hacked"}).status_code == 403
    assert neighbour_client.post(delete).status_code == 403
    assert member_client.post(edit, {"text": ""}).status_code == 400
    message.refresh_from_db()
    assert message.body == "typo"
    assert member_client.post(edit, {"text": "fixed"}).status_code == 302
    message.refresh_from_db()
    assert message.body == "fixed"
    assert member_client.post(delete).status_code == 302
    message.refresh_from_db()
    assert message.is_deleted
    assert "deleted by its author" in member_client.get(url(hackney_room)).content.decode()


def test_a_facilitator_hides_with_a_reason_shown_in_place(facilitator_client, member_client,
                                                          member, hackney_room):
    message = services.post_message(room=hackney_room, author=member, text="rude words")
    hide = url(hackney_room, "hide", message_id=message.public_id)
    assert member_client.post(hide, {"reason": "mine"}).status_code == 403
    assert facilitator_client.post(hide, {"reason": ""}).status_code == 400
    assert facilitator_client.post(hide, {"reason": "Off topic"}).status_code == 302
    text = member_client.get(url(hackney_room)).content.decode()
    assert "Hidden by a facilitator: Off topic" in text and "rude words" not in text


def test_a_message_of_another_room_is_not_found(member_client, member, hackney_room,
                                                public_room):
    message = services.post_message(room=public_room, author=member, text="elsewhere")
    assert member_client.get(
        url(hackney_room, "edit", message_id=message.public_id)).status_code == 404


def test_a_new_room_by_form(member_client, member, outsider):
    response = member_client.post(reverse("chat:new"), {
        "chapter": member.home_chapter.pk, "name": "Bikes", "access": "invite"})
    room = Room.objects.get(name="Bikes")
    assert response.status_code == 302 and response["Location"] == room.get_absolute_url()
    # A chapter the member does not belong to is not a choice.
    response = member_client.post(reverse("chat:new"), {
        "chapter": outsider.home_chapter.pk, "name": "Theirs", "access": "public"})
    assert response.status_code == 400 and not Room.objects.filter(name="Theirs").exists()


def _count(client, address):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_index_costs_the_same_with_more_rooms(member_client, member, neighbour):
    chapter = member.home_chapter
    member_client.get(reverse("chat:index"))
    for index in range(2):
        room = services.create_room(chapter=chapter, creator=member, name=f"r{index}")
        services.post_message(room=room, author=member, text="hi")
    few = _count(member_client, reverse("chat:index"))
    for index in range(2, 8):
        room = services.create_room(chapter=chapter, creator=member, name=f"r{index}")
        services.post_message(room=room, author=member, text="hi")
        services.create_room(chapter=chapter, creator=neighbour, name=f"other{index}")
    assert _count(member_client, reverse("chat:index")) == few


def test_the_room_page_costs_the_same_with_more_messages(member_client, member, neighbour,
                                                         hackney_room):
    services.post_message(room=hackney_room, author=neighbour, text="one")
    member_client.get(url(hackney_room))  # the first visit stores the read mark
    services.post_message(room=hackney_room, author=neighbour, text="two")
    few = _count(member_client, url(hackney_room))
    # Others' messages and the member's; the newest is someone else's (when the newest
    # is the reader's own, writing it marked the room read: one INSERT OR IGNORE more).
    for index in range(31):
        author = member if index % 2 else neighbour
        services.post_message(room=hackney_room, author=author, text=f"m{index} **b**")
    assert _count(member_client, url(hackney_room)) == few
