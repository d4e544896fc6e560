"""The room's socket, through the real ASGI application (session cookie, Origin check)."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chapterhouse.chat import services
from chapterhouse.chat.models import Message
from chapterhouse.config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def cookie_of(member):
    client = Client()
    client.force_login(member.user)
    return client.cookies["sessionid"].value


def socket(room, member=None, origin="http://testserver"):
    headers = [(b"origin", origin.encode())]
    if member is not None:
        headers.append((b"cookie", f"sessionid={cookie_of(member)}".encode()))
    return WebsocketCommunicator(application, f"/ws/chat/{room.public_id}/", headers=headers)


def run(scenario):
    """Run the scenario's event loop in a thread of its own: this one may already run
    one (Playwright's, when a browser test ran earlier in the session)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(async_to_sync(scenario)).result()


async def connected(communicator):
    ok, code = await communicator.connect(timeout=5)
    assert ok, code
    return communicator


async def frame(communicator):
    return await communicator.receive_json_from(timeout=5)


def test_a_message_is_stored_before_it_is_broadcast(hackney_room, member, neighbour):
    reader, writer = socket(hackney_room, neighbour), socket(hackney_room, member)
    seen_in_database = []

    async def scenario():
        await connected(reader)
        await connected(writer)
        await writer.send_json_to({"type": "message", "text": "Hello **room**"})
        got = await frame(reader)
        # When the reader hears of it, it is in the database already, under that id.
        stored = await sync_to_async(
            lambda: list(Message.objects.filter(pk=got["message"]["id"])
                         .values_list("body", flat=True)))()
        seen_in_database.append(stored)
        assert got["type"] == "message"
        assert got["message"]["html"] == "<p>Hello <strong>room</strong></p>"
        assert got["message"]["author"] == "Ada Member"
        echo = await frame(writer)
        assert echo["message"]["id"] == got["message"]["id"]
        await reader.disconnect()
        await writer.disconnect()

    run(scenario)
    assert seen_in_database == [["Hello **room**"]]


def test_a_refused_message_is_not_broadcast(hackney_room, member, neighbour):
    reader, writer = socket(hackney_room, neighbour), socket(hackney_room, member)

    async def scenario():
        await connected(reader)
        await connected(writer)
        await writer.send_json_to({"type": "message", "text": "x" * 4001})
        error = await frame(writer)
        assert error["type"] == "error" and "at most 4,000" in error["error"]
        assert await reader.receive_nothing(timeout=0.3)
        await reader.disconnect()
        await writer.disconnect()

    run(scenario)
    assert not Message.objects.exists()


def test_resume_sends_what_was_missed_once_in_order(hackney_room, member, neighbour):
    first = services.post_message(room=hackney_room, author=member, text="one")
    missed = [services.post_message(room=hackney_room, author=member, text=text)
              for text in ("two", "three", "four")]
    client = socket(hackney_room, neighbour)

    async def scenario():
        await connected(client)
        await client.send_json_to({"type": "resume", "after": first.pk})
        got = [await frame(client) for _ in missed]
        assert [f["message"]["id"] for f in got] == [m.pk for m in missed]
        assert [f["message"]["html"] for f in got] == ["<p>two</p>", "<p>three</p>",
                                                       "<p>four</p>"]
        # Asking again sends nothing twice on this connection.
        await client.send_json_to({"type": "resume", "after": first.pk})
        assert await client.receive_nothing(timeout=0.3)
        # A message arriving live after that is sent once.
        await client.send_json_to({"type": "message", "text": "five"})
        live = await frame(client)
        assert live["message"]["id"] > missed[-1].pk
        await client.send_json_to({"type": "resume", "after": first.pk})
        assert await client.receive_nothing(timeout=0.3)
        await client.disconnect()

    run(scenario)


@pytest.mark.parametrize("raw, expected", [
    ("not json at all", "not JSON"),
    ("[1, 2]", "JSON object"),
    ('"text"', "JSON object"),
    ('{"text": "no type"}', "Unknown frame type"),
    ('{"type": "shout", "text": "hi"}', "Unknown frame type"),
    ('{"type": "message"}', "must be text"),
    ('{"type": "message", "text": 5}', "must be text"),
    ('{"type": "message", "text": "   "}', "Write a message."),
    ('{"type": "resume", "after": "7"}', "\"after\""),
    ('{"type": "resume", "after": -1}', "\"after\""),
    ('{"type": "resume", "after": true}', "\"after\""),
])
def test_a_malformed_frame_gets_an_error_and_the_socket_stays_open(hackney_room, member,
                                                                   raw, expected):
    client = socket(hackney_room, member)

    async def scenario():
        await connected(client)
        await client.send_to(text_data=raw)
        error = await frame(client)
        assert error["type"] == "error" and expected in error["error"], error
        # Still open: a good frame works.
        await client.send_to(text_data=json.dumps({"type": "message", "text": "still here"}))
        ok = await frame(client)
        assert ok["type"] == "message" and ok["message"]["html"] == "<p>still here</p>"
        await client.disconnect()

    run(scenario)
    assert list(Message.objects.values_list("body", flat=True)) == ["still here"]


def test_a_binary_frame_gets_an_error(hackney_room, member):
    client = socket(hackney_room, member)

    async def scenario():
        await connected(client)
        await client.send_to(bytes_data=b"\x00\x01")
        assert (await frame(client))["type"] == "error"
        await client.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["anonymous", "outsider", "camden", "neighbour_private"])
def test_those_outside_the_room_are_closed_with_4403(hackney_room, private_room, outsider,
                                                     camden, neighbour, who):
    room = private_room if who == "neighbour_private" else hackney_room
    person = {"anonymous": None, "outsider": outsider, "camden": camden,
              "neighbour_private": neighbour}[who]
    client = socket(room, person)

    async def scenario():
        ok, code = await client.connect(timeout=5)
        assert not ok and code == 4403

    run(scenario)


def test_an_unknown_room_is_closed_with_4403(member, hackney_room):
    client = WebsocketCommunicator(
        application, "/ws/chat/00000000-0000-0000-0000-000000000000/",
        headers=[(b"origin", b"http://testserver"),
                 (b"cookie", f"sessionid={cookie_of(member)}".encode())])

    async def scenario():
        ok, code = await client.connect(timeout=5)
        assert not ok and code == 4403

    run(scenario)


def test_a_foreign_origin_is_refused(hackney_room, member):
    client = socket(hackney_room, member, origin="https://evil.example")

    async def scenario():
        ok, _code = await client.connect(timeout=5)
        assert not ok

    run(scenario)


def test_leaving_the_room_closes_the_socket(public_room, neighbour):
    services.join_room(room=public_room, member=neighbour)
    client = socket(public_room, neighbour)

    async def scenario():
        await connected(client)
        await sync_to_async(services.leave_room)(room=public_room, member=neighbour)
        output = await client.receive_output(timeout=5)
        assert output == {"type": "websocket.close", "code": 4403}

    run(scenario)


def test_a_member_who_lost_the_room_cannot_write_on_an_open_socket(public_room, member,
                                                                  neighbour):
    services.join_room(room=public_room, member=neighbour)
    client = socket(public_room, neighbour)

    async def scenario():
        await connected(client)
        # Removed behind the consumer's back (no broadcast): the next frame is refused.
        await sync_to_async(
            lambda: public_room.memberships.filter(member=neighbour).delete())()
        await client.send_json_to({"type": "message", "text": "still?"})
        error = await frame(client)
        assert error["type"] == "error" and "no longer in this room" in error["error"]
        await client.disconnect()

    run(scenario)
    assert not Message.objects.exists()


def test_edits_reach_open_sockets(hackney_room, member, neighbour):
    message = services.post_message(room=hackney_room, author=member, text="tpyo")
    client = socket(hackney_room, neighbour)

    async def scenario():
        await connected(client)
        await sync_to_async(services.edit_message)(message=message, editor=member, text="typo")
        update = await frame(client)
        assert update["type"] == "update" and update["message"]["html"] == "<p>typo</p>"
        await asyncio.sleep(0)
        await client.disconnect()

    run(scenario)


@pytest.fixture(autouse=True)
def _in_memory_channel_layer(settings):
    """These tests drive consumers and the layer from several event loops in turn
    (async_to_sync): the in-memory layer allows that; channels_redis's connection pool
    is bound to the loop that opened it (with REDIS_URL set, on CI's second run)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.mark.parametrize("how", ["deactivated", "deleted"])
def test_a_login_that_ends_closes_its_chat_sockets(hackney_room, public_room, neighbour, how):
    from chapterhouse.members.services import delete_account

    services.join_room(room=public_room, member=neighbour)
    clients = [socket(hackney_room, neighbour), socket(public_room, neighbour)]

    def end():
        if how == "deactivated":
            neighbour.user.is_active = False
            neighbour.user.save(update_fields=["is_active"])
        else:
            delete_account(member=neighbour)

    async def scenario():
        for client in clients:
            await connected(client)
        await sync_to_async(end)()
        for client in clients:
            output = await client.receive_output(timeout=5)
            assert output == {"type": "websocket.close", "code": 4403}

    run(scenario)


def test_another_members_login_ending_leaves_the_socket_open(hackney_room, member, neighbour):
    client = socket(hackney_room, member)

    async def scenario():
        await connected(client)
        neighbour.user.is_active = False
        await sync_to_async(neighbour.user.save)(update_fields=["is_active"])
        assert await client.receive_nothing(timeout=0.5)
        await client.send_json_to({"type": "message", "text": "still here"})
        assert (await frame(client))["type"] == "message"
        await client.disconnect()

    run(scenario)
