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
deactivated accounts are refused (the handshake is closed), and an open socket closes
(4403) when its login is deactivated or deleted (members.services.close_live_sockets).

When the channel layer is not shared between processes (the in-memory layer: `make
demo`, no REDIS_URL), a notice stored by the task worker (a chapter-wide fan-out) is
pushed on the worker's own layer and never reaches this process. So, with that layer
only, each socket also polls every LIVE_POLL_SECONDS: one query (is the login still
active, has the member a notice newer than the newest this socket knows?), and only
when there is one, the new notices (oldest first, at most POLL_LIMIT a poll) and the
unread count. Each notice is pushed once per socket whichever way it came; a login
found inactive or gone closes the socket. With Redis, nothing polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from chapterhouse.lib.realtime import ACCOUNT_CLOSED, account_group, layer_is_shared

from . import selectors
from .selectors import language_from
from .services import NOTICES_GROUP, member_group

# Events of the consumer's own; every other event of the member's group is forwarded.
P = ParamSpec("P")
R = TypeVar("R")


def _db(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """database_sync_to_async, typed."""
    return cast("Callable[P, Awaitable[R]]", database_sync_to_async(function))


OWN = {"notice.stored", "notices.stored", "notices.read", ACCOUNT_CLOSED}
REFUSED = 4403
# The most notices one poll pushes (the rest come at the next poll).
POLL_LIMIT = 20

logger = logging.getLogger(__name__)


class NoticeConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    member_id: int | None = None
    user_id: int | None = None
    language: str = settings.LANGUAGE_CODE
    poller: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        polls = not layer_is_shared(self.channel_layer) and _poll_seconds() > 0
        found = await _member_of(user, newest=polls)
        if found is None:
            await self.close(code=REFUSED)
            return
        self.member_id, languages, self.newest = found
        self.user_id = user.pk
        self.sent: set[int] = set()  # pks pushed on this socket above self.newest
        self.language = _language(self.scope, languages)
        self.groups = [member_group(self.member_id), NOTICES_GROUP, account_group(user.pk)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self._send_unread()
        if polls:
            self.poller = asyncio.ensure_future(self._poll_forever())

    async def disconnect(self, code: int) -> None:
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.poller
            self.poller = None

    async def account_closed(self, event: dict[str, Any]) -> None:
        await self._close()

    async def _close(self) -> None:
        self.member_id = None  # nothing more is sent on this socket
        await self.close(code=REFUSED)

    async def _poll_forever(self) -> None:
        while self.member_id is not None:
            await asyncio.sleep(_poll_seconds())
            try:
                await self._poll()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed poll is logged; the next one tries again
                logger.exception("Polling for notices failed")

    async def _poll(self) -> None:
        """Push the member's notices stored since the newest this socket knows (by a
        process whose pushes never reach this one); close if the login has ended."""
        if self.member_id is None or self.user_id is None:
            return
        active, frames = await _newer(self.user_id, self.member_id, self.newest,
                                      self.language)
        if not active:
            await self._close()
            return
        for pk, frame in frames:
            self.newest = max(self.newest, pk)
            if pk not in self.sent:
                await self.send_json(frame)
        self.sent = {pk for pk in self.sent if pk > self.newest}

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
            pk, frame = found
            if self.poller is not None:
                if pk in self.sent or pk <= self.newest:
                    return  # pushed already (by a poll)
                self.sent.add(pk)
            await self.send_json(frame)


def _poll_seconds() -> float:
    return float(getattr(settings, "LIVE_POLL_SECONDS", 5))


@_db
def _member_of(user: Any, *, newest: bool) -> tuple[int, list[str], int] | None:
    """The member's id, languages and (with `newest`) the id of their newest notice."""
    from .models import Notification

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    member = getattr(user, "member", None)
    if member is None:
        return None
    last = 0
    if newest:
        last = (Notification.objects.filter(recipient_id=member.pk).order_by("-pk")
                .values_list("pk", flat=True).first()) or 0
    return member.pk, list(member.languages or []), last


@_db
def _newer(user_id: int, member_id: int, after: int,
           language: str) -> tuple[bool, list[tuple[int, dict[str, Any]]]]:
    """Whether the login is still active and the member's, and their notices after the
    id `after` as frames, oldest first (at most POLL_LIMIT). One query when there is
    none; three when there are."""
    from .models import Notification

    mine = Notification.objects.filter(recipient_id=member_id)
    found = (get_user_model().objects.filter(pk=user_id, is_active=True, member__pk=member_id)
             .annotate(new=Exists(mine.filter(pk__gt=after)))
             .values_list("new", flat=True).first())
    if found is None:
        return False, []
    if not found:
        return True, []
    notices = list(mine.filter(pk__gt=after).order_by("pk")[:POLL_LIMIT])
    unread = mine.filter(read_at__isnull=True).count()
    # Each frame tells the count as it was once that notice had arrived.
    later_unread = sum(1 for notice in notices if notice.read_at is None)
    frames = []
    for notice in notices:
        if notice.read_at is None:
            later_unread -= 1
        frames.append((notice.pk, _frame(notice, unread - later_unread, language)))
    return True, frames


def _frame(notice: Any, unread: int, language: str) -> dict[str, Any]:
    with translation.override(language):
        shown = selectors.notice_json(notice)
        label = selectors.unread_label(unread)
    return {"type": "notice", "unread": unread, "label": label, "notice": shown,
            "text": shown["text"]}


@_db
def _unread(member_id: int) -> int:
    from .models import Notification

    return Notification.objects.filter(recipient_id=member_id, read_at__isnull=True).count()


@_db
def _notice(member_id: int, language: str, *, notice_id: Any = None,
            event: Any = None) -> tuple[int, dict[str, Any]] | None:
    """The member's notice (by id or by event) in `language` and their unread count, as
    (its pk, the frame); None if it is not theirs (two queries)."""
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
    return notice.pk, _frame(notice, unread, language)


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
