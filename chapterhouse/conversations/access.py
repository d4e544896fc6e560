"""Fetch a conversation, a message or an image for a request, with permission
(lib.interface.access): 404 to anyone who does not take part, whatever the id."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Attachment, Conversation, Message


def _missing() -> str:
    return _("There is no such conversation.")


def access_conversation(
    request: Any, public_id: uuid.UUID | str, permission: str | None = None, *,
    denied: str | None = None,
) -> Conversation:
    conversation = selectors.get_conversation(parse_uuid(public_id, _missing()))
    return access(request, conversation, view="conversations.view_conversation",
                  missing=_missing(), permission=permission, denied=denied)


def access_message(
    request: Any, public_id: uuid.UUID | str, message_id: uuid.UUID | str,
    permission: str | None = None, *, denied: str | None = None,
) -> Message:
    """A message of a conversation the viewer takes part in."""
    conversation = access_conversation(request, public_id)
    missing = _("There is no such message.")
    message = selectors.get_message(conversation, parse_uuid(message_id, missing))
    return access(request, message, view=None, missing=missing, permission=permission,
                  denied=denied)


def access_attachment(
    request: Any, public_id: uuid.UUID | str, attachment_id: uuid.UUID | str,
) -> Attachment:
    conversation = access_conversation(request, public_id)
    missing = _("There is no such image.")
    attachment = selectors.get_attachment(conversation, parse_uuid(attachment_id, missing))
    return access(request, attachment, view=None, missing=missing)
