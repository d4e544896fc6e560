"""Live notices over the WebSocket at /ws/notifications/ (the real ASGI application:
session authentication, the Origin check, the in-memory channel layer)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import translation

from chapterhouse.config.asgi import application
from chapterhouse.lib.realtime import broadcast
from chapterhouse.notifications.messages import render
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import (
    mark_read,
    member_group,
    notify,
    notify_members_of,
)
from chapterhouse.notifications.tests.factories import SAY, said

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JOINED = {"name": "Ana", "chapter": "Leeds"}

# What a socket may take to answer on a loaded CI machine (channels' default is 1 s:
# the PostgreSQL + Redis suite, run beside the SQLite one, once took longer to connect).
WAIT = 10


def _headers(member=None, *, cookie_language="", accept="", origin="http://testserver"):
    headers = [(b"origin", origin.encode())]
    cookies = []
    if member is not None:
        client = Client()
        client.force_login(member.user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}="
                       f"{client.cookies[settings.SESSION_COOKIE_NAME].value}")
    if cookie_language:
        cookies.append(f"{settings.LANGUAGE_COOKIE_NAME}={cookie_language}")
    if cookies:
        headers.append((b"cookie", "; ".join(cookies).encode()))
    if accept:
        headers.append((b"accept-language", accept.encode()))
    return headers


def _socket(headers):
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


def test_a_member_gets_their_own_notices_live_and_nobody_elses(member, outsider):
    unread = member.notifications.filter(read_at__isnull=True).count()
    headers, other_headers = _headers(member), _headers(outsider)

    async def scenario():
        mine, theirs = _socket(headers), _socket(other_headers)
        assert (await mine.connect(timeout=WAIT))[0] and (await theirs.connect(timeout=WAIT))[0]
        assert (await mine.receive_json_from(timeout=WAIT)) == {
            "type": "unread", "unread": unread,
            "label": f"{unread} unread notification" + ("s" if unread != 1 else "")}
        await theirs.receive_json_from(timeout=WAIT)
        await sync_to_async(notify)(recipients=[member], kind=Kind.MEMBER_JOINED,
                                    message=SAY, params=said("For Ada only"))
        got = await mine.receive_json_from(timeout=WAIT)
        assert got["type"] == "notice" and got["text"] == "For Ada only"
        assert got["notice"]["kind"] == "member_joined"
        assert got["unread"] == unread + 1
        assert await theirs.receive_nothing()
        await mine.disconnect()
        await theirs.disconnect()

    async_to_sync(scenario)()


def test_the_notice_is_rendered_in_the_connections_language_not_the_senders(member):
    member.languages = ["es"]
    member.save(update_fields=["languages"])
    with translation.override("fr"):
        french = render("members.joined", JOINED)
    with translation.override("de"):
        german = render("members.joined", JOINED)
    with translation.override("es"):
        spanish = render("members.joined", JOINED)
    assert len({french, german, spanish, render("members.joined", JOINED)}) == 4

    async def text_for(headers):
        socket = _socket(headers)
        assert (await socket.connect(timeout=WAIT))[0]
        await socket.receive_json_from(timeout=WAIT)
        with translation.override("en"):  # the sender's language
            await sync_to_async(notify)(recipients=[member], kind=Kind.MEMBER_JOINED,
                                        message="members.joined", params=JOINED)
        got = await socket.receive_json_from(timeout=WAIT)
        await socket.disconnect()
        return got["text"]

    assert async_to_sync(text_for)(_headers(member, accept="fr-CA,fr;q=0.9")) == french
    assert async_to_sync(text_for)(_headers(member, cookie_language="de",
                                            accept="fr")) == german
    assert async_to_sync(text_for)(_headers(member)) == spanish  # the member's language


def test_a_chapter_fan_out_reaches_the_open_pages_of_its_members_only(member, outsider):
    headers, other_headers = _headers(member), _headers(outsider)

    async def scenario():
        mine, theirs = _socket(headers), _socket(other_headers)
        assert (await mine.connect(timeout=WAIT))[0] and (await theirs.connect(timeout=WAIT))[0]
        await mine.receive_json_from(timeout=WAIT)
        await theirs.receive_json_from(timeout=WAIT)
        await sync_to_async(notify_members_of)(
            chapter=member.home_chapter, kind=Kind.MEMBER_JOINED, message=SAY,
            params=said("To all of Hackney"))
        got = await mine.receive_json_from(timeout=WAIT)
        assert got["type"] == "notice" and got["text"] == "To all of Hackney"
        assert await theirs.receive_nothing()
        await mine.disconnect()
        await theirs.disconnect()

    async_to_sync(scenario)()


def test_reading_notices_elsewhere_updates_the_count(member):
    notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY, params=said("x"))
    headers = _headers(member)

    async def scenario():
        socket = _socket(headers)
        assert (await socket.connect(timeout=WAIT))[0]
        assert (await socket.receive_json_from(timeout=WAIT))["unread"] >= 1
        await sync_to_async(mark_read)(member=member)
        got = await socket.receive_json_from(timeout=WAIT)
        assert got["type"] == "unread" and got["unread"] == 0
        await socket.disconnect()

    async_to_sync(scenario)()


def test_other_events_of_the_members_group_are_forwarded_as_json(member):
    headers = _headers(member)

    async def scenario():
        socket = _socket(headers)
        assert (await socket.connect(timeout=WAIT))[0]
        await socket.receive_json_from(timeout=WAIT)
        await sync_to_async(broadcast)(member_group(member.pk), {
            "type": "conversation.message", "conversation": "c1", "text": "hi"})
        assert await socket.receive_json_from(timeout=WAIT) == {
            "type": "conversation.message", "conversation": "c1", "text": "hi"}
        await socket.send_to(text_data="{not json")  # ignored, the connection kept
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("who", ["anonymous", "deactivated", "foreign origin"])
def test_anyone_but_a_signed_in_active_member_is_refused(member, who):
    headers = _headers(None if who == "anonymous" else member,
                       origin="https://evil.example" if who == "foreign origin"
                       else "http://testserver")
    if who == "deactivated":
        member.user.is_active = False
        member.user.save(update_fields=["is_active"])

    async def scenario():
        socket = _socket(headers)
        connected, _code = await socket.connect(timeout=WAIT)
        assert not connected
        await sync_to_async(notify)(recipients=[member], kind=Kind.MEMBER_JOINED,
                                    message=SAY, params=said("secret"))
        assert await socket.receive_nothing()

    async_to_sync(scenario)()


@pytest.fixture(autouse=True)
def _in_memory_channel_layer(settings):
    """These tests drive consumers and the layer from several event loops in turn
    (async_to_sync): the in-memory layer allows that; channels_redis's connection pool
    is bound to the loop that opened it (with REDIS_URL set, on CI's second run)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


# -- Without a shared channel layer: the socket polls for what the worker stored ----------


def _store_elsewhere(member, text):
    """A notice stored as the task worker stores one: its push goes to another process's
    in-memory layer, so none reaches this one."""
    from unittest import mock

    with mock.patch("chapterhouse.notifications.services.broadcast_each"):
        return notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY,
                      params=said(text))[0]


def test_notices_stored_by_another_process_arrive_by_polling_once_in_order(member, settings):
    settings.LIVE_POLL_SECONDS = 0.1
    _store_elsewhere(member, "Before the page opened")
    headers = _headers(member)

    async def scenario():
        socket = _socket(headers)
        assert (await socket.connect(timeout=WAIT))[0]
        unread = (await socket.receive_json_from(timeout=WAIT))["unread"]
        await sync_to_async(_store_elsewhere)(member, "First")
        await sync_to_async(_store_elsewhere)(member, "Second")
        first = await socket.receive_json_from(timeout=3)
        second = await socket.receive_json_from(timeout=3)
        assert [first["text"], second["text"]] == ["First", "Second"]
        assert [first["unread"], second["unread"]] == [unread + 1, unread + 2]
        assert first["type"] == "notice" and first["notice"]["kind"] == "member_joined"
        # A notice pushed live in this process as well as found by a poll: once.
        await sync_to_async(notify)(recipients=[member], kind=Kind.MEMBER_JOINED,
                                    message=SAY, params=said("Third"))
        assert (await socket.receive_json_from(timeout=3))["text"] == "Third"
        assert await socket.receive_nothing(timeout=0.5)  # five polls: nothing again
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_poll_costs_one_query_when_there_is_nothing_new(member, django_assert_num_queries):
    from chapterhouse.notifications.consumers import _newer

    newest = _store_elsewhere(member, "Seen").pk
    with django_assert_num_queries(1):
        assert async_to_sync(_newer)(member.user.pk, member.pk, newest, "en") == (True, [])
    _store_elsewhere(member, "New")
    with django_assert_num_queries(3):
        active, frames = async_to_sync(_newer)(member.user.pk, member.pk, newest, "en")
    assert active and [frame["text"] for _pk, frame in frames] == ["New"]


def test_with_a_shared_layer_the_socket_does_not_poll(member, settings, monkeypatch):
    settings.LIVE_POLL_SECONDS = 0.1
    monkeypatch.setattr("chapterhouse.notifications.consumers.layer_is_shared",
                        lambda layer: True)
    headers = _headers(member)

    async def scenario():
        socket = _socket(headers)
        assert (await socket.connect(timeout=WAIT))[0]
        await socket.receive_json_from(timeout=WAIT)
        await sync_to_async(_store_elsewhere)(member, "Only on Redis")
        assert await socket.receive_nothing(timeout=0.6)
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("how", ["deactivated", "deleted", "deactivated elsewhere"])
def test_a_login_that_ends_closes_its_open_notices_socket(member, settings, how):
    from chapterhouse.members.models import User
    from chapterhouse.members.services import delete_account

    settings.LIVE_POLL_SECONDS = 0.1 if how == "deactivated elsewhere" else 0
    headers = _headers(member)

    def end():
        if how == "deactivated":
            member.user.is_active = False
            member.user.save(update_fields=["is_active"])
        elif how == "deleted":
            delete_account(member=member)
        else:  # no signal, no push: as another process would, found by the poll
            User.objects.filter(pk=member.user.pk).update(is_active=False)

    async def scenario():
        socket = _socket(headers)
        assert (await socket.connect(timeout=WAIT))[0]
        await socket.receive_json_from(timeout=WAIT)
        await sync_to_async(end)()
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close",
                                                          "code": 4403}

    async_to_sync(scenario)()
