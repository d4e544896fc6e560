"""Fetch what the activity's pages act on, with permission (lib.interface.access)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, member_required, parse_uuid
from chapterhouse.projects.models import Group
from chapterhouse.projects.selectors import get_group_by_id

from . import selectors
from .models import Follow


def access_group(request: Any, public_id: Any, permission: str | None = None, *,
                 denied: str | None = None) -> Group:
    """The working group `public_id`; 404 when the viewer may not see it."""
    missing = _("There is no such group.")
    group = get_group_by_id(parse_uuid(public_id, missing))
    return access(request, group, view="projects.view_group", missing=missing,
                  permission=permission, denied=denied)


def access_follow(request: Any, public_id: Any) -> Follow:
    """One of the member's own follows; 404 for anyone else's or an unknown one."""
    missing = _("You do not follow this.")
    member = member_required(request)
    follow = selectors.get_follow(member, parse_uuid(public_id, missing))
    return access(request, follow, view="activity.unfollow", missing=missing)
