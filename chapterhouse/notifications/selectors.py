"""Reads about notices: a member's own, their unread count, their email choices."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from chapterhouse.lib.interface import Viewer
    from chapterhouse.members.models import Member

from .models import (
    Delivery,
    EmailPreference,
    EmailStatus,
    Kind,
    Notification,
    OutgoingEmail,
    default_delivery,
)


def unread_count(member: Member) -> int:
    """How many of `member`'s notices are unread (one query)."""
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def unread_count_for(viewer: Viewer) -> int:
    """The viewer's unread count, counted once per request however many templates show
    it (a write forgets it with the rest of the viewer's memo); 0 without a member."""
    member = viewer.member
    if member is None:
        return 0
    return viewer.recall(("unread notifications", member.pk), lambda: unread_count(member))


def notifications_for(member: Member) -> QuerySet[Notification]:
    """The member's own notices, newest first. Nobody else's, ever."""
    return Notification.objects.filter(recipient=member).order_by("-created_at", "-id")


def get_notification_for(member: Member, public_id: UUID | str) -> Notification:
    """One of the member's own notices; 404 for anyone else's or an unknown id."""
    notification = notifications_for(member).filter(public_id=public_id).first()
    if notification is None:
        raise Http404
    return notification


def email_choices_for(member: Member) -> dict[Kind, Delivery]:
    """How each kind of notice also reaches the member by email (off, each notice, a
    daily or a weekly digest).

    A member's stored choice wins; a kind they never chose follows EMAIL_BY_DEFAULT.
    """
    stored = dict(
        EmailPreference.objects.filter(member=member).values_list("kind", "delivery")
    )
    return {kind: Delivery(stored.get(kind.value, default_delivery(kind))) for kind in Kind}


def emailed_each(member_ids: list[int], kind: str) -> list[int]:
    """Those of `member_ids` (in their order) who want an email for each notice of
    `kind`: their choice, else the default. One query."""
    chosen = dict(EmailPreference.objects.filter(member_id__in=member_ids, kind=kind)
                  .values_list("member_id", "delivery"))
    default = default_delivery(kind)
    return [pk for pk in member_ids if chosen.get(pk, default) == Delivery.EACH]


def language_for(member: Member) -> str:
    """The interface language to write to `member` in.

    Their first spoken language the site is translated into, else the site default.
    """
    return language_from(member.languages)


def language_from(languages: list[str] | None) -> str:
    """`language_for` from a member's stored `languages` alone (no instance needed)."""
    available = {code for code, _name in settings.LANGUAGES}
    for code in languages or []:
        base = str(code).lower().split("-")[0]
        if base in available:
            return base
    return settings.LANGUAGE_CODE


def emails_due(now: datetime) -> tuple[list[int], list[int]]:
    """The ids of the notices and of the other emails (OutgoingEmail) whose retry is
    due at `now` or whose sender's claim has expired, oldest first (one indexed query
    each: the partial indexes on `email_due_at`)."""
    due = Q(email_status__in=[EmailStatus.SENDING, EmailStatus.RETRYING],
            email_due_at__lte=now)
    return (
        list(Notification.objects.filter(due).order_by("email_due_at", "pk")
             .values_list("pk", flat=True)),
        list(OutgoingEmail.objects.filter(due).order_by("email_due_at", "pk")
             .values_list("pk", flat=True)),
    )


def notice_json(notice: Notification) -> dict[str, Any]:
    """A notice as the live page, the unread JSON and the API show it: its text in the
    active language."""
    return {
        "id": str(notice.public_id),
        "kind": notice.kind,
        "text": notice.text,
        "url": notice.link,
        "created_at": notice.created_at.isoformat(),
        "read": notice.read_at is not None,
    }


def member_for_unsubscribe(public_id: str) -> Member:
    """The member an unsubscribe token names; Refused if there is none (any more)."""
    from django.apps import apps
    from django.utils.translation import gettext as _

    from chapterhouse.lib.errors import Refused

    model = apps.get_model("members", "Member")
    member = model.objects.filter(public_id=public_id).first() if _is_uuid(public_id) else None
    if member is None:
        raise Refused(_("This unsubscribe link is not valid. You can choose which emails "
                        "you get in your email settings."))
    return cast("Member", member)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def unread_label(count: int) -> str:
    """"3 unread notifications" in the active language (the header badge's label)."""
    from django.utils.translation import ngettext

    return ngettext("%(counter)s unread notification", "%(counter)s unread notifications",
                    count) % {"counter": count}
