import pytest
from django.db import IntegrityError, transaction

from chapterhouse.chat import selectors, services
from chapterhouse.chat.models import ChatMention, Message, Room, RoomMember, RoomRead
from chapterhouse.discussions.markup import mention_token
from chapterhouse.lib.errors import Refused
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def test_a_chapter_room_is_made_once(member):
    first = services.chapter_room(chapter=member.home_chapter)
    again = services.chapter_room(chapter=member.home_chapter)
    assert first.pk == again.pk and first.is_chapter_room
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(chapter=member.home_chapter, name="x", is_chapter_room=True)


def test_opening_chapter_rooms_makes_one_per_chapter_of_the_member(member):
    ids = selectors.chapter_ids_of(member)
    services.open_chapter_rooms(member=member, chapter_ids=ids)
    services.open_chapter_rooms(member=member, chapter_ids=ids)
    assert Room.objects.filter(is_chapter_room=True).count() == len(ids)


def test_creating_a_room_makes_its_creator_a_member(member):
    room = services.create_room(chapter=member.home_chapter, creator=member, name="  Garden  ",
                                access=Room.Access.INVITE)
    assert room.name == "Garden" and room.access == "invite"
    assert RoomMember.objects.filter(room=room, member=member).exists()


@pytest.mark.parametrize("fields, error", [
    ({"name": ""}, "Give the room a name."),
    ({"name": "x" * 81}, "at most 80"),
    ({"name": "ok", "description": "x" * 501}, "at most 500"),
    ({"name": "ok", "access": "secret"}, "public or invite only"),
])
def test_a_bad_room_is_refused_and_nothing_stored(member, fields, error):
    with pytest.raises(Refused, match=error):
        services.create_room(chapter=member.home_chapter, creator=member, **fields)
    assert not Room.objects.exists()


def test_nobody_makes_a_room_in_a_chapter_they_do_not_belong_to(member, outsider):
    with pytest.raises(Refused):
        services.create_room(chapter=member.home_chapter, creator=outsider, name="Mine")
    assert not Room.objects.exists()


def test_joining_a_public_room_and_leaving_it(public_room, neighbour):
    services.join_room(room=public_room, member=neighbour)
    services.join_room(room=public_room, member=neighbour)  # twice: still one row
    assert RoomMember.objects.filter(room=public_room, member=neighbour).count() == 1
    services.leave_room(room=public_room, member=neighbour)
    assert not RoomMember.objects.filter(room=public_room, member=neighbour).exists()
    with pytest.raises(Refused):
        services.leave_room(room=public_room, member=neighbour)


def test_an_invite_only_room_is_not_joined_but_invited_to(private_room, member, neighbour,
                                                           outsider):
    with pytest.raises(Refused, match="invite only"):
        services.join_room(room=private_room, member=neighbour)
    services.invite_to_room(room=private_room, inviter=member, member=neighbour)
    assert RoomMember.objects.filter(room=private_room, member=neighbour).exists()
    with pytest.raises(Refused, match="in the room already"):
        services.invite_to_room(room=private_room, inviter=member, member=neighbour)
    with pytest.raises(Refused):
        services.invite_to_room(room=private_room, inviter=member, member=outsider)
    assert not RoomMember.objects.filter(member=outsider).exists()


def test_nobody_joins_or_leaves_a_chapter_room(hackney_room, member):
    with pytest.raises(Refused):
        services.join_room(room=hackney_room, member=member)
    with pytest.raises(Refused):
        services.leave_room(room=hackney_room, member=member)


def test_a_message_is_stored_and_read_by_its_author(hackney_room, member):
    message = services.post_message(room=hackney_room, author=member, text="  Hello **all**\r\n")
    assert message.body == "Hello **all**"
    assert RoomRead.objects.get(member=member, room=hackney_room).last_read_message_id == message.pk


@pytest.mark.parametrize("text, error", [
    ("", "Write a message."), ("   \n ", "Write a message."), (None, "must be text"),
    (42, "must be text"), ({"a": 1}, "must be text"), ("x" * 4001, "at most 4,000"),
])
def test_a_bad_message_is_refused_and_nothing_stored(hackney_room, member, text, error):
    with pytest.raises(Refused, match=error):
        services.post_message(room=hackney_room, author=member, text=text)
    assert not Message.objects.exists()


def test_the_longest_message_is_a_setting(hackney_room, member, settings):
    settings.CHAT_MESSAGE_MAX_LENGTH = 10
    services.post_message(room=hackney_room, author=member, text="x" * 10)
    with pytest.raises(Refused):
        services.post_message(room=hackney_room, author=member, text="x" * 11)


def test_a_mention_notifies_room_members_once(hackney_room, member, neighbour, outsider):
    text = f"Hi {mention_token(neighbour)} and {mention_token(outsider)}"
    message = services.post_message(room=hackney_room, author=member, text=text)
    notices = Notification.objects.filter(kind=Kind.CHAT_MENTION)
    # The outsider is not in Hackney's room: not told.
    assert [n.recipient_id for n in notices] == [neighbour.pk]
    assert "mentioned you in the chat room" in notices[0].text
    services.edit_message(message=message, editor=member, text=text + " again")
    assert Notification.objects.filter(kind=Kind.CHAT_MENTION).count() == 1
    assert ChatMention.objects.filter(message=message).count() == 1


def test_a_mention_in_a_room_tells_only_its_members(private_room, member, neighbour):
    services.post_message(room=private_room, author=member, text=mention_token(neighbour))
    assert not Notification.objects.filter(kind=Kind.CHAT_MENTION).exists()


def test_only_the_author_edits_and_deletes(hackney_room, member, neighbour):
    message = services.post_message(room=hackney_room, author=member, text="first")
    with pytest.raises(Refused):
        services.edit_message(message=message, editor=neighbour, text="mine now")
    with pytest.raises(Refused):
        services.delete_message(message=message, member=neighbour)
    message.refresh_from_db()
    assert message.body == "first" and message.deleted_at is None
    services.edit_message(message=message, editor=member, text="second")
    message.refresh_from_db()
    assert message.body == "second" and message.edited_at is not None
    services.delete_message(message=message, member=member)
    message.refresh_from_db()
    assert message.body == "" and message.is_deleted
    with pytest.raises(Refused):
        services.edit_message(message=message, editor=member, text="back")


def test_a_facilitator_hides_a_message_with_a_reason(hackney_room, member, facilitator):
    message = services.post_message(room=hackney_room, author=member, text="rude")
    with pytest.raises(Refused, match="Say why"):
        services.hide_message(message=message, facilitator=facilitator, reason="  ")
    services.hide_message(message=message, facilitator=facilitator, reason="Be kind")
    message.refresh_from_db()
    assert message.is_hidden and message.hidden_reason == "Be kind"
    assert message.body == "rude"  # kept for the record
    assert selectors.payload(message)["html"] == ""
    assert selectors.payload(message)["state"] == "hidden"
    with pytest.raises(Refused):
        services.edit_message(message=message, editor=member, text="sorry")


def test_unread_counts_per_room(hackney_room, public_room, member, neighbour):
    services.join_room(room=public_room, member=neighbour)
    for index in range(3):
        services.post_message(room=hackney_room, author=neighbour, text=f"h{index}")
    last = services.post_message(room=public_room, author=neighbour, text="g")
    services.post_message(room=public_room, author=member, text="mine")
    counts = {room.pk: room.unread for room in selectors.rooms_of(member)}  # type: ignore[attr-defined]
    assert counts[hackney_room.pk] == 3
    assert counts[public_room.pk] == 0  # writing marks the room read
    services.mark_read(member=member, room=public_room, message_id=last.pk)  # backwards: ignored
    assert RoomRead.objects.get(member=member, room=public_room).last_read_message_id > last.pk


def test_history_pages_backwards_oldest_first(hackney_room, member):
    ids = [services.post_message(room=hackney_room, author=member, text=str(i)).pk
           for i in range(7)]
    page, older = selectors.history(hackney_room, limit=3)
    assert [m.pk for m in page] == ids[-3:] and older
    page, older = selectors.history(hackney_room, before=ids[-3], limit=3)
    assert [m.pk for m in page] == ids[1:4] and older
    page, older = selectors.history(hackney_room, before=ids[1], limit=3)
    assert [m.pk for m in page] == ids[:1] and not older


def test_the_members_export_has_their_chat_messages_and_rooms(member, hackney_room,
                                                              public_room):
    from chapterhouse.members.selectors import export_data_for

    services.post_message(room=hackney_room, author=member, text="exported")
    data = export_data_for(member)
    assert [m["text"] for m in data["chat_messages"]] == ["exported"]
    assert [r["name"] for r in data["chat_rooms"]] == ["Garden group"]
