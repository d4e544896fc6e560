"""A member's own notices for a request. Nobody sees anyone else's: another's
notice, or an account without a member profile (it has no notices), is a 404."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.http import Http404

from chapterhouse.lib.interface import viewer_of

from . import selectors
from .models import Notification

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def access_inbox(request: Any) -> Member:
    """The member whose notices the request reads: the viewer's own."""
    member = viewer_of(request).member
    if member is None:
        raise Http404
    return member


def access_notification(request: Any, public_id: uuid.UUID) -> Notification:
    """One of the viewer's own notices."""
    return selectors.get_notification_for(access_inbox(request), public_id)
