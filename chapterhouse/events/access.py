"""Fetch an event for a request, with permission (lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Event


def access_event(request: Any, public_id: Any, permission: str | None = None, *,
                 denied: str | None = None) -> Event:
    """The event `public_id`: 404 when there is none or the viewer may not see it, 403
    when they may see it but not do `permission`."""
    missing = _("There is no such event.")
    event = selectors.get_event(parse_uuid(public_id, missing))
    return access(request, event, view="events.view_event", missing=missing,
                  permission=permission, denied=denied)
