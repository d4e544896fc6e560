"""Fetch a room or a message for a request (or a socket), with permission
(lib.interface.access): 404 when it does not exist or may not be seen, 403 when it
may be seen but not acted on. Used by the pages, the API and the consumer."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Message, Room


def access_room(request: Any, public_id: uuid.UUID | str, permission: str | None = None, *,
                denied: str | None = None) -> Room:
    missing = _("There is no such room.")
    room = selectors.get_room(parse_uuid(public_id, missing))
    return access(request, room, view="chat.view_room", missing=missing,
                  permission=permission, denied=denied)


def access_message(request: Any, room_id: uuid.UUID | str, public_id: uuid.UUID | str,
                   permission: str | None = None, *, denied: str | None = None) -> Message:
    """A message of a room the viewer may see."""
    missing = _("There is no such message.")
    room = access_room(request, room_id)
    message = selectors.get_message(room, parse_uuid(public_id, missing))
    return access(request, message, view=None, missing=missing, permission=permission,
                  denied=denied)
