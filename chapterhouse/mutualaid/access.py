"""Fetch a mutual-aid entry for a request, with permission (lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Entry


def access_entry(
    request: Any, chapter: Chapter, public_id: Any, permission: str | None = None, *,
    denied: str | None = None,
) -> Entry:
    """The entry `public_id` of `chapter`'s board; 404 for any other id (one of another
    chapter too) and for an entry the viewer may not see (members-only, to an
    outsider), 403 when they see it but may not do `permission`."""
    missing = _("There is no such offer or request.")
    entry = selectors.get_entry(chapter, parse_uuid(public_id, missing))
    return access(request, entry, view="mutualaid.view_entry", missing=missing,
                  permission=permission, denied=denied)


def access_entry_by_id(request: Any, public_id: Any, permission: str | None = None, *,
                       denied: str | None = None) -> Entry:
    """The entry `public_id`, whatever its chapter (the API's address); 404 and 403 as
    `access_entry`."""
    missing = _("There is no such offer or request.")
    entry = selectors.get_entry_by_id(parse_uuid(public_id, missing))
    return access(request, entry, view="mutualaid.view_entry", missing=missing,
                  permission=permission, denied=denied)
