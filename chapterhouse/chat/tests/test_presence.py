"""A room page shows which of its members are online now (server-rendered, without
JavaScript): never one who hides their presence, nor one who is not in the room."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.chat import selectors, services
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


def seen(member, minutes_ago=0, **fields):
    Member.objects.filter(pk=member.pk).update(
        last_seen=timezone.now() - timedelta(minutes=minutes_ago), **fields)


def online_section(client, room):
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    start = text.index('class="chat-online"')
    return text[start:text.index("</section>", start)]


def test_the_chapter_room_shows_its_members_online_now(member_client, member, neighbour,
                                                       camden, hackney_room):
    hidden = make_member("Hana Hidden", city="London", neighbourhood="Hackney")
    unlisted = make_member("Uma Unlisted", city="London", neighbourhood="Hackney")
    away = make_member("Otto Away", city="London", neighbourhood="Hackney")
    seen(neighbour)
    seen(camden)  # online, but not of Hackney
    seen(hidden, show_presence=False)
    seen(unlisted, listed_in_directory=False)
    seen(away, minutes_ago=30)
    section = online_section(member_client, hackney_room)
    assert "Nell Neighbour" in section and "Online" in section
    for name in ["Cam Camden", "Hana Hidden", "Uma Unlisted", "Otto Away"]:
        assert name not in section


def test_another_room_shows_only_its_own_members_online(member_client, member, neighbour,
                                                        public_room):
    other = make_member("Olga Other", city="London", neighbourhood="Hackney")
    seen(neighbour)
    seen(other)
    services.join_room(room=public_room, member=neighbour)
    section = online_section(member_client, public_room)
    assert "Nell Neighbour" in section and "Olga Other" not in section


def test_nobody_online_is_said(member_client, member, public_room):
    seen(member, show_presence=False)
    assert "Nobody who shows their presence is online now." in online_section(
        member_client, public_room)


def test_a_long_list_is_cut_with_and_more(member, hackney_room):
    people = [make_member(f"Person {n}", city="London", neighbourhood="Hackney")
              for n in range(3)]
    for person in people:
        seen(person)
    shown, more = selectors.online_in(hackney_room, limit=2)
    assert len(shown) == 2 and more


def test_the_presence_list_costs_the_same_whatever_the_room_size(member_client, member,
                                                                 hackney_room, public_room):
    def queries(room):
        with CaptureQueriesContext(connection) as captured:
            online_section(member_client, room)
        return len(captured)

    people = [make_member(f"Person {n}", city="London", neighbourhood="Hackney")
              for n in range(6)]
    seen(people[0])
    services.join_room(room=public_room, member=people[0])
    queries(hackney_room)  # (the first page of the session notes when it was seen)
    small = (queries(hackney_room), queries(public_room))
    for person in people[1:]:
        seen(person)
        services.join_room(room=public_room, member=person)
    large = (queries(hackney_room), queries(public_room))
    assert large == small
    assert "Person 5" in online_section(member_client, public_room)


def test_an_outsider_sees_no_invite_only_room_nor_who_is_in_it(outsider, private_room):
    from chapterhouse.conftest import client_for

    assert client_for(outsider).get(private_room.get_absolute_url()).status_code == 404
