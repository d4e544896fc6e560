"""Fetch a member's profile for a request, with permission (lib.interface.access):
404 when there is no such member or their profile is not shown to the viewer, 403
when it is shown but the viewer may not do this. Used by the profile page and the API."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access

from .models import Member


def access_member(
    request: Any, public_id: uuid.UUID | str, permission: str | None = None, *,
    denied: str | None = None, queryset: QuerySet[Member] | None = None,
) -> Member:
    """The member with `public_id`, loaded from `queryset` (default: with their
    home chapter)."""
    rows = queryset if queryset is not None else Member.objects.select_related("home_chapter")
    return access(
        request, rows.filter(public_id=public_id).first(), view="members.see_profile",
        missing=_("Not found"), permission=permission, denied=denied,
    )
