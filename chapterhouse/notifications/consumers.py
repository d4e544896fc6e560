"""Live notices: a signed-in member's open pages listen at /ws/notifications/.

The consumer joins the member's group (services.member_group) and the group every page
listens on for fan-outs (services.NOTICES_GROUP). A notice is pushed by id after its
transaction commits (services.announce_stored); the consumer reads it back, the
member's own only, and sends its text in the connection's language (the language
cookie, else Accept-Language, else the member's), never the sender's:

    {"type": "notice", "unread": 3, "notice": {"id", "kind", "text", "url", …}}
    {"type": "unread", "unread": 2}        on connecting, and when notices are read

Any other event sent to the member's group (a private message, say) is forwarded to
the page as it is, as JSON. Anonymous visitors, accounts without a member profile and
deactivated accounts are refused (the handshake is closed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from . import selectors
from .selectors import language_from
from .services import NOTICES_GROUP, member_group

# Events of the consumer's own; every other event of the member's group is forwarded.
P = ParamSpec("P")
R = TypeVar("R")


def _db(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """database_sync_to_async, typed."""
    return cast("Callable[P, Awaitable[R]]", database_sync_to_async(function))


OWN = {"notice.stored", "notices.stored", "notices.read"}
REFUSED = 4403


class NoticeConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    member_id: int | None = None
    language: str = settings.LANGUAGE_CODE

    async def connect(self) -> None:
        user = self.scope.get("user")
        found = await _member_of(user)
        if found is None:
            await self.close(code=REFUSED)
            return
        self.member_id, languages = found
        self.language = _language(self.scope, languages)
        self.groups = [member_group(self.member_id), NOTICES_GROUP]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self._send_unread()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The page says nothing the server needs; a ping gets a pong.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def decode_json(self, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None  # a malformed frame is ignored, the connection kept

    async def dispatch(self, message: dict[str, Any]) -> None:
        kind = str(message.get("type", ""))
        if kind.startswith("websocket.") or kind in OWN:
            await super().dispatch(message)
        elif self.member_id is not None:
            await self.send_json(message)

    async def notice_stored(self, event: dict[str, Any]) -> None:
        await self._send_notice(notice_id=event.get("notice"))

    async def notices_stored(self, event: dict[str, Any]) -> None:
        first, last = event.get("first"), event.get("last")
        if (self.member_id is None or not isinstance(first, int) or not isinstance(last, int)
                or not first <= self.member_id <= last):
            return  # a batch of others' notices: not a query
        await self._send_notice(event=event.get("event"))

    async def notices_read(self, event: dict[str, Any]) -> None:
        await self._send_unread()

    async def _send_unread(self) -> None:
        if self.member_id is not None:
            unread = await _unread(self.member_id)
            with translation.override(self.language):
                label = selectors.unread_label(unread)
            await self.send_json({"type": "unread", "unread": unread, "label": label})

    async def _send_notice(self, **which: Any) -> None:
        if self.member_id is None:
            return
        found = await _notice(self.member_id, self.language, **which)
        if found is not None:
            await self.send_json({"type": "notice", **found})


@_db
def _member_of(user: Any) -> tuple[int, list[str]] | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    member = getattr(user, "member", None)
    if member is None:
        return None
    return member.pk, list(member.languages or [])


@_db
def _unread(member_id: int) -> int:
    from .models import Notification

    return Notification.objects.filter(recipient_id=member_id, read_at__isnull=True).count()


@_db
def _notice(member_id: int, language: str, *, notice_id: Any = None,
            event: Any = None) -> dict[str, Any] | None:
    """The member's notice (by id or by event) in `language`, and their unread count;
    None if it is not theirs (two queries)."""
    from .models import Notification

    mine = Notification.objects.filter(recipient_id=member_id)
    if isinstance(notice_id, int):
        notice = mine.filter(pk=notice_id).first()
    elif isinstance(event, str) and selectors._is_uuid(event):
        notice = mine.filter(event=event).first()
    else:
        return None
    if notice is None:
        return None
    unread = mine.filter(read_at__isnull=True).count()
    with translation.override(language):
        shown = selectors.notice_json(notice)
        label = selectors.unread_label(unread)
    return {"unread": unread, "label": label, "notice": shown, "text": shown["text"]}


def _language(scope: dict[str, Any], member_languages: list[str]) -> str:
    """The connection's language: the language cookie, else Accept-Language, else the
    member's first spoken language the site speaks, else the site's."""
    available = {code for code, _name in settings.LANGUAGES}
    cookie = str((scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME, ""))
    if cookie.split("-")[0].lower() in available:
        return cookie.split("-")[0].lower()
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept):
        base = code.split("-")[0].lower()
        if base in available:
            return base
    return language_from(member_languages)
