"""The one way to tell members something: `notify`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from chapterhouse.lib.mail import claim_duration, retry_delay
from chapterhouse.lib.realtime import broadcast_each
from chapterhouse.lib.tasks import enqueue_in_batches, task_named

from .messages import is_defined
from .models import (
    DIGESTS,
    Delivery,
    Digest,
    EmailDelivery,
    EmailPreference,
    EmailStatus,
    Kind,
    Notification,
    OutgoingEmail,
)
from .selectors import emailed_each, emails_due

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
SEND_DIGESTS = "chapterhouse.notifications.tasks.send_digest_emails"


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
        wanted = set(emailed_each([n.recipient_id for n in notices], kind))
        emailed = [n.pk for n in notices if n.recipient_id in wanted]
        enqueue_in_batches(SEND_EMAILS, emailed, size=EMAIL_BATCH_SIZE)
        announce_stored(key, [n.recipient_id for n in notices],
                        notices={n.recipient_id: n.pk for n in notices})
    return notices


# -- Live notices: pushed to open pages after commit ------------------------------------
#
# A member's open pages (notifications.consumers) listen on the group member_group(id),
# and every page on NOTICES_GROUP. A notice told to a few members is pushed to each of
# them ("notice.stored"); a fan-out pushes one message per batch to NOTICES_GROUP
# ("notices.stored", the event and the batch's range of member ids), and each open page
# of a member in that range looks its notice up. So a batch of 10,000 costs one push,
# not 10,000 (measured: README-notices.md), and the work grows with the members who
# have a page open, not with the members told.

NOTICES_GROUP = "notices"
# Above this many recipients, notify() pushes one range message instead of one each.
LIVE_EACH_LIMIT = 100


def member_group(member_id: int) -> str:
    """The channel-layer group of one member's open pages."""
    return f"member.{member_id}"


def announce_stored(event: uuid.UUID, recipient_ids: list[int],
                    notices: Mapping[int, int] | None = None) -> None:
    """After the caller's transaction commits, tell the open pages of `recipient_ids`
    that a notice of `event` is theirs (a courtesy: what it says is stored, and a page
    that missed it reads it on its next load or poll). Never raises, never waits long
    (lib.realtime)."""
    if not recipient_ids:
        return
    if notices is not None and len(recipient_ids) <= LIVE_EACH_LIMIT:
        messages = [(member_group(pk), {"type": "notice.stored", "notice": notices[pk]})
                    for pk in recipient_ids]
    else:
        messages = [(NOTICES_GROUP, {"type": "notices.stored", "event": str(event),
                                     "first": min(recipient_ids),
                                     "last": max(recipient_ids)})]
    transaction.on_commit(lambda: broadcast_each(messages))


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
        ).exclude(email_status=EmailStatus.DIGESTED).order_by("pk").values_list("pk", "kind")
    )
    each = {kind for kind in {kind for _pk, kind in held} if emailed_each([member.pk], kind)}
    wanted = [pk for pk, kind in held if kind in each]
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


def restate(*, event: str, message: str, params: Params) -> int:
    """Make every notice stored of the event `event` (a name, as notify()'s) say
    `message` with `params` from now on: an announcement edited shows its new title in
    the notices that told of it, one withdrawn no longer shows what it said. Returns
    how many notices changed. One UPDATE over the event's index, whatever their number;
    emails already sent stay as they were. A fan-out still delivering the event stores
    its remaining notices as it was told to (the caller's page, where the notice leads,
    is the one that says what holds)."""
    _require_defined(message)
    return Notification.objects.filter(event=event_key(event)).update(
        message=message, params=params)


def mark_read(*, member: Member, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a member's unread notices as read; returns how many.

    Only the member's own notices are touched, whatever ids are passed.
    """
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=list(notification_ids))
        count = unread.update(read_at=timezone.now())
        if count:
            # The member's other open pages show the new count.
            messages = [(member_group(member.pk), {"type": "notices.read"})]
            transaction.on_commit(lambda: broadcast_each(messages))
    return count


def set_email_preferences(
    *, member: Member, choices: Mapping[str, str | bool]
) -> list[EmailPreference]:
    """Store how the given kinds of notice reach the member by email: a Delivery value
    ("off", "each", "daily", "weekly"; True and False are "each" and "off").

    Raises ValueError, storing nothing, if any kind or choice is unknown. One upsert.
    """
    unknown = sorted(str(kind) for kind in choices if kind not in Kind.values)
    if unknown:
        raise ValueError(f"Unknown kinds of notice: {unknown}")
    chosen = {kind: _delivery(value) for kind, value in choices.items()}
    rows = [EmailPreference(member=member, kind=Kind(kind), delivery=delivery)
            for kind, delivery in chosen.items()]
    with transaction.atomic():
        return EmailPreference.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["member", "kind"],
            update_fields=["delivery"],
        )


def _delivery(value: str | bool) -> Delivery:
    if isinstance(value, bool):
        return Delivery.EACH if value else Delivery.OFF
    if value not in Delivery.values:
        raise ValueError(f"Unknown email choice: {value!r}")
    return Delivery(value)


def unsubscribe(*, member: Member, kinds: Iterable[str]) -> list[EmailPreference]:
    """Turn off the email of the given kinds for `member` (the one-click unsubscribe of
    an email's List-Unsubscribe link). Idempotent; unknown kinds are refused (ValueError),
    nothing changed."""
    return set_email_preferences(member=member,
                                 choices=dict.fromkeys(kinds, Delivery.OFF.value))


# -- Digests ------------------------------------------------------------------------------

# Members whose digests are gathered in one transaction.
DIGEST_BATCH_SIZE = 500


def digest_period(frequency: str, now: datetime) -> date:
    """The period a digest gathered at `now` belongs to: the day, or the Monday of the
    ISO week (in the site's time zone)."""
    today = timezone.localdate(now)
    if frequency == Delivery.WEEKLY:
        return today - timedelta(days=today.weekday())
    return today


def gather_digests(*, now: datetime | None = None) -> list[int]:
    """Make this period's digests and enqueue their sending; returns the new digests' ids.

    For each member who chose a daily or weekly digest for some kinds: their unread
    notices of those kinds never emailed nor digested, stored up to `now`, go into one
    Digest for the period (digest_period), marked DIGESTED. Idempotent: a member who has
    the period's digest already gets none (Digest's unique member, frequency and
    period; of two runs at once, one makes it), so running it twice sends one email; the
    notices stored after it wait for the next period. A member with nothing to tell gets
    no digest. Cost: two queries per DIGEST_BATCH_SIZE members plus four per digest.
    """
    now = now or timezone.now()
    made: list[int] = []
    for frequency in DIGESTS:
        period = digest_period(frequency, now)
        chosen: dict[int, set[str]] = {}
        for member_id, kind in (EmailPreference.objects.filter(delivery=frequency)
                                .values_list("member_id", "kind")):
            chosen.setdefault(member_id, set()).add(kind)
        members = sorted(chosen)
        for start in range(0, len(members), DIGEST_BATCH_SIZE):
            batch = members[start:start + DIGEST_BATCH_SIZE]
            made += _gather(frequency, period, now, {pk: chosen[pk] for pk in batch})
    return made


def _gather(frequency: str, period: date, now: datetime,
            chosen: dict[int, set[str]]) -> list[int]:
    kinds = set().union(*chosen.values())
    with transaction.atomic():
        done = set(Digest.objects.filter(frequency=frequency, period=period,
                                         member_id__in=list(chosen))
                   .values_list("member_id", flat=True))
        waiting: dict[int, list[int]] = {}
        for pk, member_id, kind in Notification.objects.filter(
            recipient_id__in=[pk for pk in chosen if pk not in done], kind__in=kinds,
            email_status=EmailStatus.NOT_SENT, read_at__isnull=True, created_at__lte=now,
        ).order_by("pk").values_list("pk", "recipient_id", "kind"):
            if kind in chosen[member_id]:
                waiting.setdefault(member_id, []).append(pk)
        made = []
        for member_id, notice_ids in waiting.items():
            with transaction.atomic():
                digest, created = Digest.objects.get_or_create(
                    member_id=member_id, frequency=frequency, period=period)
                if not created:
                    continue
                claimed = list(Notification.objects.filter(
                    pk__in=notice_ids, email_status=EmailStatus.NOT_SENT,
                ).values_list("pk", flat=True))
                if not claimed:  # emailed meanwhile: nothing to tell, no digest
                    digest.delete()
                    continue
                Notification.objects.filter(pk__in=claimed).update(
                    email_status=EmailStatus.DIGESTED)
                digest.notices.add(*claimed)
                made.append(digest.pk)
        enqueue_in_batches(SEND_DIGESTS, made, size=EMAIL_BATCH_SIZE)
    return made


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
