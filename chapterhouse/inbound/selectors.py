"""Reads of the replies received by email."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import ReceivedReply

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def account_export(member: Member) -> dict[str, Any]:
    """The member's replies received by email (what each answered and where it was
    posted; the text is in the app that stored it), for their data export
    (members.account_data). One query."""
    return {
        "replies_by_email": [{
            "answered": {"kind": reply.kind, "id": str(reply.target_id)},
            "posted_at_url": reply.url,
            "received_at": reply.received_at.isoformat(),
        } for reply in ReceivedReply.objects.filter(member=member).order_by("received_at",
                                                                           "pk")],
    }
