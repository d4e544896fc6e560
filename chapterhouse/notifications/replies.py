"""Replying to a notice by email: the signed reply-to addresses and the registry of what
a reply can answer.

A notice's email about something one can answer (a forum post; a private message or a
chat mention when their apps register) carries a `Reply-To` of its own:

    reply+post-<token>@<REPLY_DOMAIN>

The token holds the recipient's public id, the target's public id (both UUIDs) and an
HMAC of them with the kind, made with SECRET_KEY: it cannot be guessed, and changing
one character of it makes it invalid. It is lowercase base32, because some mail
servers lower the case of local parts. Without REPLY_DOMAIN nothing carries a
Reply-To and no address is read (the feature is off).

The apps that can take a reply register a handler for their kind, from their
AppConfig.ready(), so this app (below them in the layers) never imports them:

    replies.register("post", handle_post_reply)

`handle(member, target_id, text) -> url` posts `text` (the reply, quoted text and
signature already removed) as `member`, or raises `lib.errors.Refused` with a message
for them (the target is gone or locked, they may not post there, the text is too
long); it returns the URL of what it stored. The app's services tell whom they notify
that the notice can be answered by giving its parameters `reply_param(kind, id)`;
`chapterhouse.inbound` receives the mail and calls the handler.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

Handler = Callable[["Member", uuid.UUID, str], str]

# The notice parameter naming what its email's reply answers ("post:<uuid>").
PARAM = "reply_to"

LOCAL_PREFIX = "reply+"
_SALT = "chapterhouse.notifications.replies"
# 80 bits: unguessable, and the receiver limits how often a member may be tried.
_MAC_BYTES = 10
_KIND = re.compile(r"^[a-z]{1,20}$")

_handlers: dict[str, Handler] = {}


@dataclass(frozen=True)
class ReplyTarget:
    """What a reply address names: whose reply it is and what it answers."""

    member_id: uuid.UUID
    kind: str
    target_id: uuid.UUID


def register(kind: str, handler: Handler) -> None:
    """Let replies by email answer targets of `kind` (an app's ready() calls it; a
    second call for the same kind replaces the first, as when an app is loaded again)."""
    if not _KIND.match(kind):
        raise ValueError(f"A kind of reply target is a short lowercase word, not {kind!r}.")
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


def kinds() -> list[str]:
    return sorted(_handlers)


def reply_param(kind: str, target_id: uuid.UUID | str) -> str:
    """The value of a notice's PARAM saying its email can be answered by a reply to the
    target (stored with the notice, read when its email is built)."""
    return f"{kind}:{uuid.UUID(str(target_id))}"


def target_of(params: dict[str, Any] | None) -> tuple[str, uuid.UUID] | None:
    """The (kind, target id) a notice's parameters name, or None."""
    value = (params or {}).get(PARAM)
    if not isinstance(value, str) or ":" not in value:
        return None
    kind, _sep, target = value.partition(":")
    try:
        return kind, uuid.UUID(target)
    except ValueError:
        return None


def _mac(kind: str, payload: bytes, secret: str | bytes) -> bytes:
    return salted_hmac(_SALT, kind.encode() + b":" + payload, secret=secret,
                       algorithm="sha256").digest()[:_MAC_BYTES]


def _encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _decode(text: str) -> bytes:
    padded = text.upper() + "=" * (-len(text) % 8)
    return base64.b32decode(padded)


def address_for(member_id: uuid.UUID, kind: str, target_id: uuid.UUID) -> str:
    """The reply address for `member` answering the target, or "" when replying by email
    is off (no REPLY_DOMAIN) or no app handles `kind`."""
    domain = settings.REPLY_DOMAIN
    if not domain or kind not in _handlers:
        return ""
    payload = member_id.bytes + target_id.bytes
    token = _encode(payload + _mac(kind, payload, settings.SECRET_KEY))
    return f"{LOCAL_PREFIX}{kind}-{token}@{domain}"


def read_address(address: str) -> ReplyTarget | None:
    """What a reply address names, if it is one of ours and its signature holds (made
    with SECRET_KEY or one of SECRET_KEY_FALLBACKS); None for any other address, a
    forged or altered one, or when replying by email is off. Case does not matter."""
    domain = settings.REPLY_DOMAIN
    local, at, host = address.strip().strip("<>").rpartition("@")
    if not domain or not at or host.lower() != domain.lower():
        return None
    local = local.lower()
    if not local.startswith(LOCAL_PREFIX):
        return None
    kind, dash, token = local[len(LOCAL_PREFIX):].partition("-")
    if not dash or not _KIND.match(kind):
        return None
    try:
        data = _decode(token)
    except (binascii.Error, ValueError):
        return None
    if len(data) != 32 + _MAC_BYTES or _encode(data) != token:
        return None  # (the last character's spare bits altered: one token, one spelling)
    payload, mac = data[:32], data[32:]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(mac, _mac(kind, payload, secret)) for secret in secrets):
        return None
    return ReplyTarget(member_id=uuid.UUID(bytes=payload[:16]), kind=kind,
                       target_id=uuid.UUID(bytes=payload[16:]))
