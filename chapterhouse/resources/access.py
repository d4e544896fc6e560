"""Fetch a resource or a lesson for a request, with permission (lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Lesson, Resource


def access_resource(request: Any, chapter: Chapter, public_id: Any,
                    permission: str | None = None, *, denied: str | None = None) -> Resource:
    """The resource `public_id` of `chapter`; 404 for one of another chapter and for a
    members-only one the viewer may not see, 403 when seen but not `permission`."""
    missing = _("There is no such resource.")
    resource = selectors.get_resource(chapter, parse_uuid(public_id, missing))
    return access(request, resource, view="resources.view_resource", missing=missing,
                  permission=permission, denied=denied)


def access_lesson(request: Any, public_id: Any, permission: str | None = None, *,
                  denied: str | None = None) -> Lesson:
    missing = _("There is no such lesson.")
    lesson = selectors.get_lesson(parse_uuid(public_id, missing))
    return access(request, lesson, view="resources.view_lesson", missing=missing,
                  permission=permission, denied=denied)


def access_resource_by_id(request: Any, public_id: Any, permission: str | None = None, *,
                          denied: str | None = None) -> Resource:
    """The resource `public_id`, whatever its chapter (the API's address); 404 and 403
    as `access_resource`."""
    missing = _("There is no such resource.")
    resource = selectors.get_resource_by_id(parse_uuid(public_id, missing))
    return access(request, resource, view="resources.view_resource", missing=missing,
                  permission=permission, denied=denied)
