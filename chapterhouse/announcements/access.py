"""Fetch an announcement for a request, with permission (lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Announcement


def access_announcement(
    request: Any, found: ChapterChain, public_id: Any, permission: str | None = None,
) -> Announcement:
    """The announcement `public_id` of the chapter `found`; 404 for any other id (one
    of another chapter too); 403 when a `permission` is named and the viewer lacks it
    (someone else's announcement, or one withdrawn)."""
    missing = _("There is no such announcement.")
    announcement = selectors.get_announcement(found.chapter, parse_uuid(public_id, missing))
    return access(request, announcement, view="announcements.view_announcement",
                  missing=missing, permission=permission, denied=_denied(announcement))


def access_announcement_by_id(
    request: Any, public_id: Any, permission: str | None = None,
) -> Announcement:
    """The announcement `public_id`, whatever its chapter (the API's address)."""
    missing = _("There is no such announcement.")
    announcement = selectors.get_announcement_by_id(parse_uuid(public_id, missing))
    return access(request, announcement, view="announcements.view_announcement",
                  missing=missing, permission=permission, denied=_denied(announcement))


def _denied(announcement: Announcement | None) -> str:
    if announcement is not None and announcement.is_withdrawn:
        return _("This announcement was withdrawn.")
    return _("Only its author and the chapter's facilitators can change an announcement.")
