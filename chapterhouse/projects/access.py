"""Fetch a group or one of its tasks for a request, with permission
(lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.interface import access, parse_uuid

from . import selectors
from .models import Group, Task


def access_group(request: Any, chapter: Chapter, slug: str, permission: str | None = None,
                 *, denied: str | None = None) -> Group:
    """The group `slug` of `chapter`; 404 for any other (one of another chapter too),
    403 when the viewer may not do `permission`."""
    return access(request, selectors.get_group(chapter, slug),
                  view="projects.view_group", missing=_("There is no such group."),
                  permission=permission, denied=denied)


def access_task(request: Any, group: Group, public_id: Any) -> Task:
    """A task of `group` that the viewer may work on (a member of the group)."""
    missing = _("There is no such task.")
    task = selectors.get_task(group, parse_uuid(public_id, missing))
    if task is None:
        access(request, None, view=None, missing=missing)
    access(request, group, view=None, missing=missing, permission="projects.work_on_tasks",
           denied=_("Only the group's members can change its tasks."))
    assert task is not None
    return task


def access_group_by_id(request: Any, public_id: Any, permission: str | None = None, *,
                       denied: str | None = None) -> Group:
    """The group `public_id`, whatever its chapter (the API's address); 404 and 403 as
    `access_group`."""
    missing = _("There is no such group.")
    return access(request, selectors.get_group_by_id(parse_uuid(public_id, missing)),
                  view="projects.view_group", missing=missing, permission=permission,
                  denied=denied)
