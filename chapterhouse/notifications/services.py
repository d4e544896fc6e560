"""The one way to tell members something: `notify`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone, translation

from chapterhouse.members.models import Member

from .models import EMAIL_BY_DEFAULT, EmailPreference, Kind, Notification
from .tasks import send_notification_email


def _language_of(member: Member) -> str:
    return member.languages[0] if member.languages else "en"


def notify(
    *,
    recipients: Iterable[Member],
    kind: Kind,
    text: Callable[[Member], str],
    url: str = "",
) -> list[Notification]:
    """Store an in-app notice for each recipient and queue the emails they want.

    `text` renders the notice for one recipient; it is called with that member's
    language active. The emails are enqueued in the same transaction, so a
    notice is emailed if and only if it was stored.
    """
    recipients = list(recipients)
    if not recipients:
        return []
    with transaction.atomic():
        notices = []
        for member in recipients:
            with translation.override(_language_of(member)):
                notices.append(
                    Notification(recipient=member, kind=kind, text=str(text(member))[:500], url=url)
                )
        notices = Notification.objects.bulk_create(notices)
        overrides = dict(
            EmailPreference.objects.filter(
                member__in=[m.pk for m in recipients], kind=kind
            ).values_list("member_id", "send_email")
        )
        default = kind in EMAIL_BY_DEFAULT
        for notice in notices:
            if overrides.get(notice.recipient_id, default):
                send_notification_email.enqueue(notice.pk)
    return notices


def mark_read(*, member: Member, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a member's unread notices as read; returns how many."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=list(notification_ids))
        return unread.update(read_at=timezone.now())


def set_email_preferences(*, member: Member, choices: dict[str, bool]) -> None:
    with transaction.atomic():
        for kind, send_email in choices.items():
            EmailPreference.objects.update_or_create(
                member=member, kind=Kind(kind), defaults={"send_email": send_email}
            )
