"""Deleting an account removes the text of the member's chat messages, whatever they
chose about their forum posts; the room goes on for the others."""

import pytest

from chapterhouse.chat import services
from chapterhouse.chat.models import ChatMention, Message, RoomRead
from chapterhouse.conftest import client_for
from chapterhouse.discussions.markup import mention_token
from chapterhouse.members.services import delete_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("remove_writing", [False, True])
def test_a_deleted_members_chat_messages_lose_their_text(member, neighbour, hackney_room,
                                                        public_room, facilitator,
                                                        remove_writing):
    mine = services.post_message(room=hackney_room, author=member,
                                 text=f"My number, {mention_token(neighbour)}")
    hidden = services.post_message(room=public_room, author=member, text="Rude words")
    services.hide_message(message=hidden, facilitator=facilitator, reason="Rude")
    theirs = services.post_message(room=hackney_room, author=neighbour, text="Thanks!")
    assert ChatMention.objects.filter(message=mine).exists()
    delete_account(member=member, remove_writing=remove_writing)
    mine.refresh_from_db()
    hidden.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.author, mine.body, mine.is_deleted) == (None, "", True)
    assert (hidden.body, hidden.is_deleted) == ("", True)
    assert (theirs.body, theirs.is_deleted) == ("Thanks!", False)
    assert not ChatMention.objects.exists()


def test_the_room_still_reads_and_takes_messages_for_the_others(member, neighbour,
                                                                hackney_room):
    services.post_message(room=hackney_room, author=member, text="Call me on 0123")
    delete_account(member=member)
    client = client_for(neighbour)
    page = client.get(hackney_room.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200 and "0123" not in text
    assert "This message was deleted by its author." in text
    response = client.post(hackney_room.get_absolute_url() + "post/", {"text": "Hello?"})
    assert response.status_code == 302
    latest = Message.objects.latest("pk")
    assert (latest.author, latest.body) == (neighbour, "Hello?")
    assert RoomRead.objects.get(member=neighbour, room=hackney_room).last_read_message_id \
        == latest.pk
