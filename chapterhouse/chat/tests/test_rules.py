"""The permission matrix: every chat rule × persona × kind of room."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.chat import services
from chapterhouse.chat.models import Room
from chapterhouse.lib.interface import Viewer

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "camden", "neighbour", "member", "facilitator",
            "deactivated"]

# room kind → rule → personas allowed. The member made the public and private rooms
# (so is in them); the neighbour and the facilitator are Hackney members who did not join.
EXPECTED = {
    "chapter": {
        "chat.view_room": {"neighbour", "member", "facilitator"},
        "chat.post_in_room": {"neighbour", "member", "facilitator"},
        "chat.join_room": set(),
        "chat.leave_room": set(),
        "chat.invite_to_room": set(),
        "chat.moderate_room": {"facilitator"},
    },
    "public": {
        "chat.view_room": {"neighbour", "member", "facilitator"},
        "chat.post_in_room": {"member"},
        "chat.join_room": {"neighbour", "facilitator"},
        "chat.leave_room": {"member"},
        "chat.invite_to_room": {"member"},
        "chat.moderate_room": {"facilitator"},
    },
    "private": {
        "chat.view_room": {"member"},
        "chat.post_in_room": {"member"},
        "chat.join_room": set(),
        "chat.leave_room": {"member"},
        "chat.invite_to_room": {"member"},
        "chat.moderate_room": {"facilitator"},
    },
}


@pytest.fixture
def people(member, facilitator, neighbour, camden, outsider):
    from chapterhouse.members.tests.factories import make_member

    gone = make_member("Dee Deactivated", city="London", neighbourhood="Hackney")
    gone.user.is_active = False
    gone.user.save()
    return {"anonymous": None, "outsider": outsider, "camden": camden, "neighbour": neighbour,
            "member": member, "facilitator": facilitator, "deactivated": gone}


@pytest.fixture
def rooms(member):
    return {
        "chapter": services.chapter_room(chapter=member.home_chapter),
        "public": services.create_room(chapter=member.home_chapter, creator=member, name="Pub"),
        "private": services.create_room(chapter=member.home_chapter, creator=member,
                                        name="Priv", access=Room.Access.INVITE),
    }


def viewer(person):
    return Viewer(AnonymousUser() if person is None else person.user)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_room_rules_matrix(people, rooms, kind):
    room = rooms[kind]
    for rule, allowed in EXPECTED[kind].items():
        got = {name for name in PERSONAS if viewer(people[name]).can(rule, room)}
        assert got == allowed, (kind, rule)


def test_message_rules(people, rooms, member, neighbour):
    room = rooms["chapter"]
    mine = services.post_message(room=room, author=member, text="mine")
    for name in PERSONAS:
        assert viewer(people[name]).can("chat.edit_message", mine) == (name == "member")
        assert viewer(people[name]).can("chat.hide_message", mine) == (name == "facilitator")
    services.hide_message(message=mine, facilitator=people["facilitator"], reason="no")
    assert not viewer(member).can("chat.edit_message", mine)
    assert not viewer(people["facilitator"]).can("chat.hide_message", mine)


def test_leaving_a_room_ends_its_rights(rooms, member, neighbour):
    room = rooms["public"]
    services.join_room(room=room, member=neighbour)
    message = services.post_message(room=room, author=neighbour, text="hi")
    assert viewer(neighbour).can("chat.edit_message", message)
    services.leave_room(room=room, member=neighbour)
    assert not viewer(neighbour).can("chat.post_in_room", room)
    assert not viewer(neighbour).can("chat.edit_message", message)


def test_moving_away_from_the_chapter_ends_the_room(rooms, neighbour, outsider):
    room = rooms["public"]
    services.join_room(room=room, member=neighbour)
    neighbour.home_chapter = outsider.home_chapter
    assert not viewer(neighbour).can("chat.view_room", room)
    assert not viewer(neighbour).can("chat.post_in_room", room)


def test_members_create_rooms_in_their_chapters(people, member):
    chapter = member.home_chapter
    got = {name for name in PERSONAS if viewer(people[name]).can("chat.create_room", chapter)}
    assert got == {"neighbour", "member", "facilitator"}
