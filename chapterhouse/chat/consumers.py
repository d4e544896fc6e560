"""The room's socket: `ws/chat/<room public id>/`.

Protocol (JSON objects, one per frame):

- client → server: `{"type": "message", "text": "…"}` writes a message;
  `{"type": "resume", "after": <id>}` asks for the messages after the id last seen.
- server → client: `{"type": "message", "message": {…}}` (selectors.payload), new or
  missed, each sent once per connection, in order of id within one reply;
  `{"type": "update", "message": {…}}` an edit, deletion or hiding;
  `{"type": "error", "error": "…"}` a refused or malformed frame (the socket stays open).

The session authenticates (AuthMiddlewareStack), asgi.py checks the Origin
(AllowedHostsOriginValidator), and the room is fetched with the pages' own rules
(access.access_room): an anonymous visitor or anyone who may not see the room is
closed with 4403, as is a member who leaves the room (or loses it) while connected, and
every socket of a login that is deactivated or deleted (lib.realtime.account_group);
writing needs `chat.post_in_room`, asked again at every message. A message is stored
(services.post_message) before anyone hears of it: the service broadcasts the stored
message after its commit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast

from channels.db import database_sync_to_async as _database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import Viewer
from chapterhouse.lib.realtime import account_group

from . import selectors, services
from .models import Room

P = ParamSpec("P")
R = TypeVar("R")


def database_sync_to_async(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Channels' wrapper (closing stale connections around the call), typed."""
    return cast(Callable[P, Awaitable[R]], _database_sync_to_async(function))


FORBIDDEN = 4403
# Ids already sent on this connection, so a message arriving both live and in a resume
# is sent once; only the newest are kept (a resume sends at most RESUME_LIMIT).
REMEMBERED = 2 * selectors.RESUME_LIMIT


class _Scope:
    """What access() needs of a request, from a socket's scope."""

    def __init__(self, user: Any) -> None:
        self.user = user


class ChatConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    room: Room | None = None

    async def connect(self) -> None:
        self.room = None
        self.sent: set[int] = set()
        self.language = translation.get_language()
        room = await self._room()
        if room is None:
            await self.close(code=FORBIDDEN)
            return
        self.room = room
        self.groups = [room.group, account_group(self.scope["user"].pk)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()  # the groups are left on disconnecting (websocket_disconnect)

    @database_sync_to_async
    def _room(self) -> Room | None:
        from .access import access_room

        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        try:
            return access_room(_Scope(user), self.scope["url_route"]["kwargs"]["public_id"])
        except Http404:
            return None

    async def _error(self, text: str) -> None:
        await self.send_json({"type": "error", "error": text})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with translation.override(self.language):
            if text_data is None:
                await self._error(_("Send text frames of JSON."))
                return
            try:
                content = json.loads(text_data)
            except ValueError:
                await self._error(_("This frame is not JSON."))
                return
            await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        with translation.override(self.language):
            if not isinstance(content, dict):
                await self._error(_("A frame must be a JSON object with a \"type\"."))
                return
            kind = content.get("type")
            if kind == "message":
                await self._post(content.get("text"))
            elif kind == "resume":
                after = content.get("after")
                if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                    await self._error(_("\"after\" must be the id of the last message seen."))
                    return
                await self._resume(after)
            else:
                await self._error(_("Unknown frame type: use \"message\" or \"resume\"."))

    async def _post(self, text: Any) -> None:
        outcome = await self._store(text)
        if outcome is not None:
            await self._error(outcome)

    @database_sync_to_async
    def _store(self, text: Any) -> str | None:
        """Store the message (the service broadcasts it after its commit); the refusal
        to send back, if any. Membership is asked again: it may have ended."""
        assert self.room is not None
        viewer = Viewer(self.scope["user"])
        member = viewer.active_member
        if member is None or not viewer.can("chat.post_in_room", self.room):
            return _("You are no longer in this room.")
        try:
            services.post_message(room=self.room, author=member, text=text)
        except Refused as error:
            return error.message
        return None

    @database_sync_to_async
    def _missed(self, after: int) -> list[dict[str, Any]]:
        assert self.room is not None
        rows = selectors.messages_after(self.room, after)
        members = selectors.mentioned_members(rows)
        return [selectors.payload(row, members) for row in rows]

    async def _resume(self, after: int) -> None:
        for message in await self._missed(after):
            await self._send_message(message)

    async def _send_message(self, message: dict[str, Any]) -> None:
        if message["id"] in self.sent:
            return
        self.sent.add(message["id"])
        if len(self.sent) > REMEMBERED:
            for old in sorted(self.sent)[: len(self.sent) - REMEMBERED]:
                self.sent.discard(old)
        await self.send_json({"type": "message", "message": message})

    # Channel-layer events (services broadcast them to the room's group).

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self._send_message(event["message"])

    async def chat_update(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "update", "message": event["message"]})

    async def chat_left(self, event: dict[str, Any]) -> None:
        if await self._is_me(event.get("member")):
            await self.close(code=FORBIDDEN)

    async def account_closed(self, event: dict[str, Any]) -> None:
        """The login was deactivated or deleted (members.services.close_live_sockets)."""
        await self.close(code=FORBIDDEN)

    @database_sync_to_async
    def _is_me(self, member_pk: Any) -> bool:
        member = Viewer(self.scope["user"]).member
        return member is not None and member.pk == member_pk
