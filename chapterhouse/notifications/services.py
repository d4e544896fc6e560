"""The one way to tell members something: `notify`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from chapterhouse.lib.mail import claim_duration, retry_delay
from chapterhouse.lib.tasks import enqueue_in_batches, task_named

from .messages import is_defined
from .models import (
    EMAIL_BY_DEFAULT,
    EmailDelivery,
    EmailPreference,
    EmailStatus,
    Kind,
    Notification,
    OutgoingEmail,
)
from .selectors import emails_due

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# Emails are queued in batches: one job per recipient floods the queue when a
# notice goes to a whole chapter. Each email in a batch is still sent at most once.
EMAIL_BATCH_SIZE = 100

# The tasks these services queue (named, not imported: the tasks call these services).
SEND_EMAILS = "chapterhouse.notifications.tasks.send_notification_emails"
SEND_OUTGOING = "chapterhouse.notifications.tasks.send_outgoing_emails"
DELIVER_TO_MEMBERS = "chapterhouse.notifications.tasks.deliver_to_members"
DELIVER_TO_ROLL = "chapterhouse.notifications.tasks.deliver_to_roll"


# A notice's parameters (messages.py): JSON, never rendered text.
Params = dict[str, Any]

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
    message: str,
    params: Params | Callable[[Member], Params] | None = None,
    url: str = "",
    event: str = "",
) -> list[Notification]:
    """Store an in-app notice for each recipient and queue the emails they want;
    returns the notices stored.

    A notice is stored as `message` (defined in an app's notices.py, messages.define)
    and its `params`, and rendered in the reader's language whenever it is read;
    `params` may be a function of the recipient. A member listed twice gets one notice.
    `event` names what the notice tells of (event_key): a member already told of it is
    skipped, so a service that runs twice tells each member once. Without it, the call
    is its own event.

    Cost: one INSERT for the notices, one SELECT for the email choices (and, with
    `event`, one for those already told), and one enqueue per EMAIL_BATCH_SIZE emailed
    notices, whatever the number of recipients. The emails are enqueued in the same
    transaction as the notices (and as the caller's action): with the database task
    backend, a notice is emailed if and only if it was stored. A concurrent call for
    the same event makes one of the two transactions fail (IntegrityError), never a
    second notice.
    """
    _require_defined(message)
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
            stored = params(member) if callable(params) else params
            notices.append(Notification(recipient=member, kind=kind, event=key,
                                        message=message, params=stored or {}, url=url))
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


def _require_defined(message: str) -> None:
    if not is_defined(message):
        raise ValueError(f"No message {message!r} is defined (an app's notices.py defines it).")


def notify_members_of(
    *, chapter: Chapter, kind: Kind, message: str, params: Params | None = None,
    url: str = "", exclude: Iterable[int] = (), event: str = "",
) -> None:
    """Tell every active member of `chapter` and of its sub-chapters something.

    The caller only enqueues: the task deliver_to_members stores one notice per member
    in batches (and queues the emails they want, as notify() does). Enqueued in the
    caller's transaction, so with the database task backend the notices are delivered
    if and only if it commits. Members whose ids are in `exclude` (a few: those told
    otherwise) are left out. `message`, `params` and `event` as for notify() (`event` a
    name of its own: the task resumes after the highest member told of it); without
    it, the call is its own event, which every run of the task shares. Cost to the
    caller: one enqueue, whatever the size of the chapter.
    """
    _require_defined(message)
    task_named(DELIVER_TO_MEMBERS).enqueue(
        chapter.pk, str(kind), {"message": message, "params": params or {}}, url,
        timezone.now().isoformat(), sorted(set(exclude)),
        str(event_key(event) if event else uuid.uuid4()),
    )


def notify_roll_of(
    *, proposal_id: int, kind: Kind, message: str, params: Params | None = None,
    url: str = "", exclude: Iterable[int] = (), event: str = "",
) -> None:
    """Tell every active member on the frozen roll of a proposal's vote something.

    As notify_members_of, over the roll's entries instead of a chapter's members:
    one enqueue now; the task deliver_to_roll stores the notices in batches and
    queues the emails each member wants.
    """
    _require_defined(message)
    task_named(DELIVER_TO_ROLL).enqueue(
        proposal_id, str(kind), {"message": message, "params": params or {}}, url,
        timezone.now().isoformat(), sorted(set(exclude)),
        str(event_key(event) if event else uuid.uuid4()),
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


# -- Sending emails: the state of each delivery, kept in the data ----------------------
#
# A worker claims an email (a short transaction marks it SENDING until its claim
# expires), sends it outside any transaction, then records the outcome in a second
# short transaction: no lock or transaction is held while the mail server is waited
# for, and two workers never send the same email while a claim lasts.


def queue_email(*, message: EmailMessage) -> list[OutgoingEmail]:
    """Store `message` (rendered, one row per recipient) and enqueue its sending, in
    the caller's transaction: with the database task backend it is sent if and only if
    the caller commits, and whatever the mail server does meanwhile the caller does
    not wait for it or see it fail. Returns the rows. Kept: sender, recipients, subject,
    text and HTML bodies; not kept: cc, bcc, extra headers, attachments (allauth's
    emails have none)."""
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((str(content) for content, mimetype in message.alternatives
                     if mimetype == "text/html"), "")
    body = str(message.body)
    if message.content_subtype == "html":
        body, html = "", body
    with transaction.atomic():
        rows = OutgoingEmail.objects.bulk_create([
            OutgoingEmail(to=address, from_email=str(message.from_email),
                          subject=str(message.subject)[:998], body=body, html=html)
            for address in message.to
        ])
        enqueue_in_batches(SEND_OUTGOING, [row.pk for row in rows], size=EMAIL_BATCH_SIZE)
    return rows


def claim_email(delivery: EmailDelivery, *, now: datetime) -> bool:
    """Mark the email as being sent by the caller, until claim_duration() from now;
    returns False, changing nothing, unless it is due: never tried, or its retry is
    due, or the claim of a worker that was sending it has expired.

    One conditional UPDATE, atomic on its own: of two workers, one gets the claim."""
    due = Q(email_status=EmailStatus.NOT_SENT) | Q(
        email_status__in=[EmailStatus.SENDING, EmailStatus.RETRYING], email_due_at__lte=now)
    claimed = type(delivery)._default_manager.filter(due, pk=delivery.pk).update(
        email_status=EmailStatus.SENDING, email_due_at=now + claim_duration())
    return claimed == 1


def record_email_sent(delivery: EmailDelivery, *, now: datetime) -> None:
    """The email was accepted by the mail server."""
    with transaction.atomic():
        type(delivery)._default_manager.filter(pk=delivery.pk).update(
            email_status=EmailStatus.SENT, emailed_at=now, email_due_at=None,
            email_attempts=F("email_attempts") + 1, email_error="",
            **_cleared(delivery))


def record_email_failure(delivery: EmailDelivery, *, error: str,
                         now: datetime) -> datetime | None:
    """A failed attempt to send the email: it is retried after the next of
    EMAIL_RETRY_DELAYS, or given up (FAILED) when they have run out. Returns when it is
    due again, or None if given up. `delivery` holds the attempts made before this one."""
    delay = retry_delay(delivery.email_attempts + 1)
    due = None if delay is None else now + delay
    fields: dict[str, Any] = {
        "email_status": EmailStatus.FAILED if due is None else EmailStatus.RETRYING,
        "email_due_at": due, "email_attempts": F("email_attempts") + 1,
        "email_error": error[:300],
    }
    if due is None:
        fields.update(_cleared(delivery))
    with transaction.atomic():
        type(delivery)._default_manager.filter(pk=delivery.pk).update(**fields)
    return due


def hold_emails(*, notification_ids: Iterable[int]) -> int:
    """Take notices out of their retries when their email may no longer go (the
    account was deactivated, its address is no longer confirmed): they wait, as the
    notices of an unconfirmed address do, for email_held_notices. Returns how many."""
    with transaction.atomic():
        return Notification.objects.filter(
            pk__in=list(notification_ids), email_status=EmailStatus.RETRYING,
        ).update(email_status=EmailStatus.NOT_SENT, email_due_at=None)


def _cleared(delivery: EmailDelivery) -> dict[str, str]:
    return {name: "" for name in delivery.cleared_when_done}


def retry_due_emails() -> int:
    """Enqueue the sending of every email whose retry is due or whose sender's claim
    expired; returns how many. The send tasks queue their own retries (with
    `run_after`); this sweep (manage.py retry_emails, from cron) is the safety net for
    a retry that was never queued, and the way to retry where the task backend cannot
    defer tasks. Sending stays safe to repeat: each email is claimed before it goes."""
    notices, outgoing = emails_due(timezone.now())
    with transaction.atomic():
        enqueue_in_batches(SEND_EMAILS, notices, size=EMAIL_BATCH_SIZE)
        enqueue_in_batches(SEND_OUTGOING, outgoing, size=EMAIL_BATCH_SIZE)
    return len(notices) + len(outgoing)
