"""Background work for notices. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task
from django_tasks.base import Task

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import bulk
from chapterhouse.lib.mail import Sender, describe, server_at_fault
from chapterhouse.lib.tasks import enqueue_in_batches

from . import replies, services, unsubscribe
from .models import (
    Delivery,
    Digest,
    EmailDelivery,
    EmailStatus,
    Notification,
    OutgoingEmail,
)
from .selectors import emailed_each, language_for

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

logger = logging.getLogger(__name__)

PENDING = {EmailStatus.SENDING, EmailStatus.RETRYING}

# Members per transaction when a notice goes to a whole chapter.
FANOUT_BATCH_SIZE = 10_000


def _absolute(url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL.rstrip("/") + url
    if url.startswith(("https://", "http://")):
        return url
    return ""


def _mailable(notices: list[Notification]) -> list[Notification]:
    """The notices whose recipient may be mailed: an active account whose address is
    confirmed (anyone could sign up with someone else's address; those notices stay on
    the site, and services.email_held_notices sends them once it is confirmed)."""
    from allauth.account.models import EmailAddress

    addresses = {n.recipient.user_id: n.recipient.user.email.lower() for n in notices
                 if n.recipient.user.is_active and n.recipient.user.email}
    if settings.ACCOUNT_EMAIL_VERIFICATION != "none":  # else the operator chose not to
        confirmed = {(user_id, email.lower()) for user_id, email in EmailAddress.objects
                     .filter(user_id__in=addresses, verified=True)
                     .values_list("user_id", "email")}
        addresses = {pk: email for pk, email in addresses.items() if (pk, email) in confirmed}
    return [n for n in notices if n.recipient.user_id in addresses]


def _email(member: Member, kinds: list[str], template: str,
           context: dict[str, Any], reply_to: str = "") -> EmailMessage:
    """An email to `member` in their language, with a plain-text and an HTML part
    (notifications/email/<template>.txt and .html, the subject from <template>_subject.txt)
    and the one-click unsubscribe headers for `kinds`; `reply_to`, where a reply by email
    is answered on the site (replies.py)."""
    language = language_for(member)
    with translation.override(language):
        unsubscribe_link = unsubscribe.link_for(member, kinds)
        context = {
            **context,
            "member": member,
            "site_name": settings.SITE_NAME,
            "settings_link": _absolute(reverse("notifications:settings")),
            "can_reply": bool(reply_to),
            "unsubscribe_link": unsubscribe_link,
        }
        subject = " ".join(
            render_to_string(f"notifications/email/{template}_subject.txt", context).split()
        )
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"notifications/email/{template}.txt", context),
            to=[member.user.email],
            reply_to=[reply_to] if reply_to else None,
            headers={"Content-Language": translation.get_language() or language,
                     **unsubscribe.headers_for(member, kinds)},
        )
        message.attach_alternative(
            render_to_string(f"notifications/email/{template}.html", context), "text/html")
        return message


def _notice_message(notification: Notification) -> EmailMessage:
    """The email of a notice, in its recipient's language."""
    return _email(notification.recipient, [notification.kind], "notice", {
        "notification": notification,
        "link": _absolute(notification.url),
    }, reply_to=_reply_address(notification))


def _digest_message(digest: Digest) -> EmailMessage:
    """A digest's email, in its member's language: its notices, oldest first."""
    notices = list(digest.notices.order_by("created_at", "pk"))
    return _email(digest.member, sorted({n.kind for n in notices}), "digest", {
        "digest": digest,
        "weekly": digest.frequency == Delivery.WEEKLY,
        "notices": [(notice, _absolute(notice.url)) for notice in notices],
    })


def _reply_address(notification: Notification) -> str:
    """The signed address that posts a reply to what the notice is about, as its
    recipient (replies.py), or "" (nothing to answer, or replying by email is off)."""
    target = replies.target_of(notification.params)
    if target is None:
        return ""
    kind, target_id = target
    return replies.address_for(notification.recipient.public_id, kind, target_id)


def _deliver(rows: list[tuple[EmailDelivery, Callable[[], EmailMessage]]],
             again: Task[..., Any]) -> int:
    """Send each row's message, claimed first (services.claim_email) so that no other
    worker sends it meanwhile, and record the outcome; returns how many were sent.

    No transaction is open while the mail server is waited for (each wait bounded by
    EMAIL_TIMEOUT). A failure is recorded for a retry after a back-off; when the
    server is at fault (refused, timed out) the rest of the run is not tried and waits
    for the same retry, so a hung server costs one EMAIL_TIMEOUT, not one per email.
    Rows failed now, or claimed by another worker, are queued on `again` for when they
    are next due: the task queue always holds a run for an email still to be sent."""
    sent = 0
    due_again: dict[int, datetime] = {}
    outage = ""
    with Sender() as sender:
        for row, message in rows:
            if not services.claim_email(row, now=timezone.now()):
                if row.email_status in PENDING and row.email_due_at is not None:
                    due_again[row.pk] = row.email_due_at  # another worker's, or a retry
                continue
            error = outage
            if not outage:
                try:
                    sender.send(message())
                except Exception as failure:
                    error = describe(failure)
                    logger.warning("Could not send %s %s: %s", row._meta.label, row.pk, error)
                    if server_at_fault(failure):
                        outage = f"Not tried after: {error}"
                else:
                    services.record_email_sent(row, now=timezone.now())
                    sent += 1
                    continue
            due = services.record_email_failure(row, error=error, now=timezone.now())
            if due is not None:
                due_again[row.pk] = due
    if due_again and again.get_backend().supports_defer:
        # Where the backend cannot defer, manage.py retry_emails (cron) retries them.
        again.using(run_after=min(due_again.values())).enqueue(sorted(due_again))
    return sent


@task(queue_name="email")
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email a batch of notices; returns how many were sent by this run.

    Safe to run twice, and at once: a notice sent, being sent or not yet due for a
    retry is not sent again (see _deliver). A notice whose email fails is retried with
    back-off until EMAIL_RETRY_DELAYS run out, then shown as not delivered.
    """
    notices = list(Notification.objects.filter(pk__in=notification_ids)
                   .select_related("recipient__user").order_by("pk"))
    mailable = _mailable(notices)
    if len(mailable) < len(notices):
        services.hold_emails(notification_ids={n.pk for n in notices} - {n.pk for n in mailable})
    return _deliver([(notice, partial(_notice_message, notice)) for notice in mailable],
                    send_notification_emails)


@task(queue_name="email")
def send_notification_email(notification_id: int) -> int:
    """Email one notice (as send_notification_emails, which queues its retries)."""
    return send_notification_emails.call([notification_id])


@task(queue_name="email")
def send_digest_emails(digest_ids: list[int]) -> int:
    """Email a batch of digests (services.gather_digests enqueues it); returns how many
    were sent by this run. Safe to run twice, and at once, as send_notification_emails."""
    digests = list(Digest.objects.filter(pk__in=digest_ids)
                   .select_related("member__user").order_by("pk"))
    mailable = {n.recipient.pk for n in _mailable(
        [Notification(recipient=digest.member) for digest in digests])}
    return _deliver([(digest, partial(_digest_message, digest)) for digest in digests
                     if digest.member.pk in mailable], send_digest_emails)


# When the periodic digest run (send_digests, below) comes back each day.
DIGEST_HOUR = 7


@task()
def send_digests(schedule: bool = False) -> int:
    """Gather this period's digests and enqueue their sending (services.gather_digests:
    run twice, it sends each member one digest per period); returns how many were made.

    With `schedule` (manage.py send_digests --schedule starts it once), it also
    enqueues its own next run for the next DIGEST_HOUR o'clock, unless a run is waiting
    already, where the task backend can defer: the worker then sends digests each day
    without cron. Without deferral, cron runs manage.py send_digests."""
    made = len(services.gather_digests())
    if schedule:
        schedule_digests()
    return made


def schedule_digests(now: datetime | None = None) -> bool:
    """Enqueue send_digests(schedule=True) for the next DIGEST_HOUR o'clock (local time)
    unless one is waiting; returns whether it enqueued one."""
    backend = send_digests.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=send_digests.module_path, status="READY",
        run_after__gt=now or timezone.now())
    if waiting.exists():
        return False
    local = timezone.localtime(now or timezone.now())
    after = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if after <= local:
        after += timedelta(days=1)
    send_digests.using(run_after=after).enqueue(True)
    return True


@task(queue_name="email")
def send_outgoing_emails(email_ids: list[int]) -> int:
    """Send stored emails that are not notices (services.queue_email: allauth's),
    retried as notices' emails are; returns how many were sent by this run."""
    emails = list(OutgoingEmail.objects.filter(pk__in=email_ids).order_by("pk"))
    return _deliver([(email, email.message) for email in emails], send_outgoing_emails)


@task()
def deliver_to_members(chapter_id: int, kind: str, says: dict[str, Any], url: str,
                       created_at: str, exclude: list[int] | None = None,
                       event: str | None = None) -> int:
    """Store a notice for every active member of a chapter and of its sub-chapters
    (services.notify_members_of enqueues it), but those in `exclude`; returns how many
    this run stored. Batched and idempotent as _fan_out says."""
    chapter = Chapter.objects.get(pk=chapter_id)
    members = _recipient_model().objects.belonging_to(chapter).active()
    return _fan_out(members.exclude(pk__in=exclude or []), kind, says, url, created_at,
                    event)


@task()
def deliver_to_roll(proposal_id: int, kind: str, says: dict[str, Any], url: str,
                    created_at: str, exclude: list[int] | None = None,
                    event: str | None = None) -> int:
    """Store a notice for every active member on the frozen roll of a proposal's vote
    (services.notify_roll_of enqueues it), but those in `exclude`; returns how many
    this run stored. Batched and idempotent as _fan_out says.

    The roll is named by the label of its model (decisions sits above notifications,
    which never imports its code)."""
    entries = apps.get_model("decisions", "RollEntry").objects.filter(
        roll__proposal_id=proposal_id, member__isnull=False
    )
    members = _recipient_model().objects.filter(pk__in=entries.values("member_id")).active()
    return _fan_out(members.exclude(pk__in=exclude or []), kind, says, url, created_at,
                    event)


def _fan_out(members: QuerySet[Member], kind: str, says: dict[str, Any], url: str,
             created_at: str, event: str | None) -> int:
    """Store one notice of `event` per member of `members`; returns how many this run
    stored.

    Members are taken by id in batches of FANOUT_BATCH_SIZE, each batch in its own
    transaction (rows written by COPY on PostgreSQL). Idempotent, and safe to run twice
    at once: a member is told of an event once (Notification's unique event and
    recipient; the inserts skip the rows that exist, bulk.insert_new_rows), and emails
    are queued only for the notices this run stored. As batches commit in member-id
    order, a run resumes after the highest recipient of the event, so a run taken back
    from a dead worker does not go over the members already told. (Not an anti-join per
    batch: with a million notices PostgreSQL planned that as a nested loop over all of
    them, minutes per batch.) `says` is the notice's message and parameters (every
    member's notice is rendered in their language when read); runs enqueued before
    messages carry the text in each site language, stored as the English one. Emails
    go as with notify(), by the member's choice for the kind.

    Runs enqueued before event keys (no `event`) take one made of their kind, url and
    time, and resume after the highest recipient of those.
    """
    created = datetime.fromisoformat(created_at)
    if event is None:
        key = uuid.uuid5(services.EVENT_NAMESPACE, f"{kind}|{url}|{created_at}")
        told = Notification.objects.filter(created_at=created, kind=kind, url=url)
    else:
        key = uuid.UUID(event)
        told = Notification.objects.filter(event=key)
    members = members.order_by("pk")
    if "message" in says:
        message, params = str(says["message"]), dict(says.get("params") or {})
    else:
        message, params = "", {"text": says.get("en") or next(iter(says.values()), url)}
    stored = 0
    last = _last_told(told)
    while True:
        with transaction.atomic():
            batch = list(members.filter(pk__gt=last).values_list("pk", flat=True)
                         [:FANOUT_BATCH_SIZE])
            if not batch:
                return stored
            last = batch[-1]
            ids = _store(batch, kind, message, params, url, created, key)
            stored += len(ids)
            services.announce_stored(key, ids)  # one push per batch, after commit
            emailed = emailed_each(ids, kind)
            if emailed:
                notices = list(Notification.objects.filter(
                    event=key, recipient_id__in=emailed,
                ).order_by("pk").values_list("pk", flat=True))
                enqueue_in_batches(services.SEND_EMAILS, notices,
                                   size=services.EMAIL_BATCH_SIZE)


def _last_told(told: QuerySet[Notification]) -> int:
    """The highest recipient id among `told` (0: none), where a run resumes."""
    last: int | None = told.aggregate(last=Max("recipient_id"))["last"]
    return last or 0


def _recipient_model() -> type[Member]:
    """members.Member, by the label the notices' foreign key names it: notifications
    sits below members in the app layers (members' services notify), so it refers to
    the recipients' model as its foreign keys do, never importing members' code."""
    return cast("type[Member]", apps.get_model("members", "Member"))


def _store(recipients: list[int], kind: str, message: str, params: dict[str, Any], url: str,
           created: datetime, event: uuid.UUID) -> list[int]:
    """One notice of `event` per recipient id, but for recipients already told of it;
    returns the recipient ids stored. COPY on PostgreSQL, one bulk INSERT elsewhere
    (bulk.insert_new_rows; the parameters serialised once for every row)."""
    said = bulk.JsonText(json.dumps(params, ensure_ascii=False))
    stored = bulk.insert_new_rows(Notification, [
        {"recipient_id": pk, "kind": kind, "message": message, "params": said, "url": url,
         "created_at": created, "event": event}
        for pk in recipients
    ], unique=["event", "recipient_id"])
    return [row["recipient_id"] for row in stored]
