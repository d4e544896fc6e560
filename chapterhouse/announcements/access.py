"""Fetch an announcement for a request, with permission (lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Announcement


def access_announcement(request: Any, found: ChapterChain, public_id: Any) -> Announcement:
    """The announcement `public_id` of the chapter `found`; 404 for any other id (one
    of another chapter too)."""
    missing = _("There is no such announcement.")
    announcement = selectors.get_announcement(found.chapter, parse_uuid(public_id, missing))
    return access(request, announcement, view="announcements.view_announcement",
                  missing=missing)
