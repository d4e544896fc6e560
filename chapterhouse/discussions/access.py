"""Fetch a thread or a post for a request, with permission (lib.interface.access):
404 when it does not exist or may not be read, 403 when it may be read but not
acted on. Used by the discussion pages (and by any API that will serve them)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access

from . import selectors
from .models import Post, Thread


def access_thread(
    request: Any, public_id: uuid.UUID, permission: str | None = None, *,
    denied: str | None = None,
) -> Thread:
    return access(
        request, selectors.get_thread(public_id), view="discussions.view_thread",
        missing=_("There is no such thread."), permission=permission, denied=denied,
    )


def access_post(
    request: Any, public_id: uuid.UUID, permission: str | None = None, *,
    denied: str | None = None,
) -> Post:
    """The post, if its thread may be read (a post is read with its thread)."""
    missing = _("There is no such post.")
    post = selectors.get_post(public_id)
    access(request, post.thread if post is not None else None,
           view="discussions.view_thread", missing=missing)
    return access(request, post, view=None, missing=missing, permission=permission,
                  denied=denied)
