"""Fetch a poll for a request, with permission (lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Poll


def access_poll(request: Any, chapter: Chapter, public_id: Any,
                permission: str | None = None, *, denied: str | None = None) -> Poll:
    """The poll `public_id` of `chapter`; 404 for any other id and for a poll the viewer
    may not see, 403 when they see it but may not do `permission`."""
    missing = _("There is no such poll.")
    poll = selectors.get_poll(chapter, parse_uuid(public_id, missing))
    return access(request, poll, view="polls.view_poll", missing=missing,
                  permission=permission, denied=denied)


def access_poll_by_id(request: Any, public_id: Any, permission: str | None = None, *,
                      denied: str | None = None) -> Poll:
    """The poll `public_id`, whatever its chapter (the API's address); 404 and 403 as
    `access_poll`."""
    missing = _("There is no such poll.")
    poll = selectors.get_poll_by_id(parse_uuid(public_id, missing))
    return access(request, poll, view="polls.view_poll", missing=missing,
                  permission=permission, denied=denied)
