"""The one way to tell members something: `notify`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from chapterhouse.lib.tasks import enqueue_in_batches, task_named

from .models import EMAIL_BY_DEFAULT, EmailPreference, Kind, Notification
from .selectors import language_for

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# Emails are queued in batches: one job per recipient floods the queue when a
# notice goes to a whole chapter. Each email in a batch is still sent at most once.
EMAIL_BATCH_SIZE = 100

# The tasks these services queue (named, not imported: the tasks call these services).
SEND_EMAILS = "chapterhouse.notifications.tasks.send_notification_emails"
DELIVER_TO_MEMBERS = "chapterhouse.notifications.tasks.deliver_to_members"
DELIVER_TO_ROLL = "chapterhouse.notifications.tasks.deliver_to_roll"


# A namespace for the event keys named by the services (event_key).
EVENT_NAMESPACE = uuid.UUID("5d0f3c1e-8a57-4c1b-9f3e-2b6a7c0e4d11")


def event_key(name: str) -> uuid.UUID:
    """The key of the event `name` ("voting_opened:<proposal>:<closes>"): the same name,
    the same key, so whatever tells members of the event twice tells each of them once
    (Notification's unique event and recipient)."""
    return uuid.uuid5(EVENT_NAMESPACE, name)


def notify(
    *,
    recipients: Iterable[Member],
    kind: Kind,
    text: Callable[[Member], str],
    url: str = "",
    event: str = "",
) -> list[Notification]:
    """Store an in-app notice for each recipient and queue the emails they want;
    returns the notices stored.

    `text` renders the notice for one recipient; it is called with that member's
    language active. A member listed twice gets one notice. `event` names what the
    notice tells of (event_key): a member already told of it is skipped, so a service
    that runs twice tells each member once. Without it, the call is its own event.

    Cost: one INSERT for the notices, one SELECT for the email choices (and, with
    `event`, one for those already told), and one enqueue per EMAIL_BATCH_SIZE emailed
    notices, whatever the number of recipients. The emails are enqueued in the same
    transaction as the notices (and as the caller's action): with the database task
    backend, a notice is emailed if and only if it was stored. A concurrent call for
    the same event makes one of the two transactions fail (IntegrityError), never a
    second notice.
    """
    unique: dict[int, Member] = {}
    for member in recipients:
        unique.setdefault(member.pk, member)
    if not unique:
        return []
    key = event_key(event) if event else uuid.uuid4()
    with transaction.atomic():
        if event:
            told = Notification.objects.filter(event=key, recipient_id__in=list(unique))
            for pk in told.values_list("recipient_id", flat=True):
                del unique[pk]
        members = list(unique.values())
        notices = []
        for member in members:
            with translation.override(language_for(member)):
                notices.append(Notification(recipient=member, kind=kind, event=key,
                                            text=str(text(member))[:500], url=url))
        if not notices:
            return []
        notices = Notification.objects.bulk_create(notices)
        overrides = dict(
            EmailPreference.objects.filter(member__in=list(unique), kind=kind).values_list(
                "member_id", "send_email"
            )
        )
        default = kind in EMAIL_BY_DEFAULT
        emailed = [n.pk for n in notices if overrides.get(n.recipient_id, default)]
        enqueue_in_batches(SEND_EMAILS, emailed, size=EMAIL_BATCH_SIZE)
    return notices


# How far back a newly confirmed address catches up on the notices it missed.
HELD_EMAIL_DAYS = 7


def email_held_notices(member: Member) -> list[int]:
    """Queue the emails held back while the member's address was unconfirmed.

    Emails go only to confirmed addresses (tasks._send_one). Once the address is
    confirmed, the member's unread notices of the last HELD_EMAIL_DAYS that were
    never emailed, of kinds they get by email, are sent: the welcome first of all.
    Returns the ids queued.
    """
    since = timezone.now() - timedelta(days=HELD_EMAIL_DAYS)
    held = list(
        Notification.objects.filter(
            recipient=member, emailed_at__isnull=True, read_at__isnull=True, created_at__gte=since
        ).order_by("pk").values_list("pk", "kind")
    )
    overrides = dict(
        EmailPreference.objects.filter(member=member).values_list("kind", "send_email")
    )
    wanted = [pk for pk, kind in held if overrides.get(kind, kind in EMAIL_BY_DEFAULT)]
    enqueue_in_batches(SEND_EMAILS, wanted, size=EMAIL_BATCH_SIZE)
    return wanted


def _texts(text: Callable[[], str]) -> dict[str, str]:
    """The notice once per site language (the fan-out gives each member theirs)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(text())[:500]
    return texts


def notify_members_of(
    *, chapter: Chapter, kind: Kind, text: Callable[[], str], url: str = "",
    exclude: Iterable[int] = (), event: str = "",
) -> None:
    """Tell every active member of `chapter` and of its sub-chapters something.

    The caller only enqueues: `text` is rendered once per site language now, and the
    task deliver_to_members stores one notice per member in batches (and queues the
    emails they want, as notify() does). Enqueued in the caller's transaction, so with
    the database task backend the notices are delivered if and only if it commits.
    Members whose ids are in `exclude` (a few: those told otherwise) are left out.
    `event` as for notify() (a name of its own: the task resumes after the highest
    member told of it); without it, the call is its own event, which every run of the
    task shares. Cost to the caller: one enqueue, whatever the size of the chapter.
    """
    task_named(DELIVER_TO_MEMBERS).enqueue(
        chapter.pk, str(kind), _texts(text), url, timezone.now().isoformat(),
        sorted(set(exclude)), str(event_key(event) if event else uuid.uuid4()),
    )


def notify_roll_of(
    *, proposal_id: int, kind: Kind, text: Callable[[], str], url: str = "",
    exclude: Iterable[int] = (), event: str = "",
) -> None:
    """Tell every active member on the frozen roll of a proposal's vote something.

    As notify_members_of, over the roll's entries instead of a chapter's members:
    one enqueue now; the task deliver_to_roll stores the notices in batches and
    queues the emails each member wants.
    """
    task_named(DELIVER_TO_ROLL).enqueue(
        proposal_id, str(kind), _texts(text), url, timezone.now().isoformat(),
        sorted(set(exclude)), str(event_key(event) if event else uuid.uuid4()),
    )


def mark_read(*, member: Member, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a member's unread notices as read; returns how many.

    Only the member's own notices are touched, whatever ids are passed.
    """
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=list(notification_ids))
        count = unread.update(read_at=timezone.now())
    return count


def set_email_preferences(*, member: Member, choices: dict[str, bool]) -> list[EmailPreference]:
    """Store the member's choice of email (or not) for the given kinds.

    Raises ValueError, storing nothing, if any kind is unknown. One upsert.
    """
    unknown = sorted(str(kind) for kind in choices if kind not in Kind.values)
    if unknown:
        raise ValueError(f"Unknown kinds of notice: {unknown}")
    rows = [
        EmailPreference(member=member, kind=Kind(kind), send_email=bool(send_email))
        for kind, send_email in choices.items()
    ]
    with transaction.atomic():
        return EmailPreference.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["member", "kind"],
            update_fields=["send_email"],
        )
