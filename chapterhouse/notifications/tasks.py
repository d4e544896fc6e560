"""Background work for notices. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, cast

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import bulk
from chapterhouse.lib.tasks import enqueue_in_batches

from . import services
from .models import EMAIL_BY_DEFAULT, EmailPreference, Notification
from .selectors import language_for, language_from

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

logger = logging.getLogger(__name__)

# Members per transaction when a notice goes to a whole chapter.
FANOUT_BATCH_SIZE = 10_000


def _absolute(url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL.rstrip("/") + url
    if url.startswith(("https://", "http://")):
        return url
    return ""


def _verified(user: object) -> bool:
    from allauth.account.models import EmailAddress

    email = getattr(user, "email", "")
    if settings.ACCOUNT_EMAIL_VERIFICATION == "none":
        return bool(email)  # the operator chose not to confirm addresses
    return bool(email) and EmailAddress.objects.filter(
        user=user, email__iexact=email, verified=True
    ).exists()


def _send_one(notification_id: int) -> bool:
    """Email one notice unless it was already emailed; returns whether it sent.

    The row is locked and `emailed_at` set in the same transaction as the send,
    so two workers never both send it, and a failed send leaves it to be
    retried. (If the commit itself fails after a successful send, a retry sends
    again: delivery is at least once, never silently lost.)
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient__user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        member = notification.recipient
        user = member.user
        if not user.is_active or not _verified(user):
            # Never mail an address its owner has not confirmed: anyone could
            # sign up with someone else's address. The notice stays on the site.
            return False
        language = language_for(member)
        with translation.override(language):
            context = {
                "notification": notification,
                "site_name": settings.SITE_NAME,
                "link": _absolute(notification.url),
                "settings_link": _absolute(reverse("notifications:settings")),
            }
            subject = " ".join(
                render_to_string("notifications/email/subject.txt", context).split()
            )
            body = render_to_string("notifications/email/body.txt", context)
            EmailMessage(
                subject=subject,
                body=body,
                to=[user.email],
                headers={"Content-Language": translation.get_language() or language},
            ).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


@task(queue_name="email")
def send_notification_email(notification_id: int) -> None:
    """Email one notice. Idempotent: a notice already emailed is not sent again."""
    _send_one(notification_id)


@task(queue_name="email")
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email a batch of notices; returns how many were sent by this run.

    Idempotent per notice, so a batch that fails half way can simply run again.
    One failing address does not hold back the rest; the task still fails at
    the end so the failure is visible.
    """
    sent = 0
    failed = []
    for notification_id in notification_ids:
        try:
            sent += _send_one(notification_id)
        except Exception:
            logger.exception("Could not email notification %s", notification_id)
            failed.append(notification_id)
    if failed:
        raise RuntimeError(f"Could not email notifications {failed}")
    return sent


@task()
def deliver_to_members(chapter_id: int, kind: str, texts: dict[str, str], url: str,
                       created_at: str, exclude: list[int] | None = None,
                       event: str | None = None) -> int:
    """Store a notice for every active member of a chapter and of its sub-chapters
    (services.notify_members_of enqueues it), but those in `exclude`; returns how many
    this run stored. Batched and idempotent as _fan_out says."""
    chapter = Chapter.objects.get(pk=chapter_id)
    members = _recipient_model().objects.belonging_to(chapter).active()
    return _fan_out(members.exclude(pk__in=exclude or []), kind, texts, url, created_at,
                    event)


@task()
def deliver_to_roll(proposal_id: int, kind: str, texts: dict[str, str], url: str,
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
    return _fan_out(members.exclude(pk__in=exclude or []), kind, texts, url, created_at,
                    event)


def _fan_out(members: QuerySet[Member], kind: str, texts: dict[str, str], url: str,
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
    them, minutes per batch.) `texts` holds the notice in each site language; each
    member gets it in theirs. Emails go as with notify(), by the member's choice for
    the kind.

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
    default_email = kind in EMAIL_BY_DEFAULT
    members = members.order_by("pk")
    languages: dict[tuple[str, ...], str] = {}
    stored = 0
    last = _last_told(told)
    while True:
        with transaction.atomic():
            batch = list(members.filter(pk__gt=last).values_list("pk", "languages")
                         [:FANOUT_BATCH_SIZE])
            if not batch:
                return stored
            last = batch[-1][0]
            rows = []
            for pk, spoken in batch:
                lang = tuple(spoken or ())
                if lang not in languages:
                    languages[lang] = language_from(list(lang))
                rows.append((pk, texts.get(languages[lang], url)))
            ids = _store(rows, kind, url, created, key)
            stored += len(ids)
            choices = dict(EmailPreference.objects.filter(member_id__in=ids, kind=kind)
                           .values_list("member_id", "send_email"))
            emailed = [pk for pk in ids if choices.get(pk, default_email)]
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


def _store(rows: list[tuple[int, str]], kind: str, url: str, created: datetime,
           event: uuid.UUID) -> list[int]:
    """One notice of `event` per (recipient id, text), but for recipients already told of
    it; returns the recipient ids stored. COPY on PostgreSQL, one bulk INSERT elsewhere
    (bulk.insert_new_rows)."""
    stored = bulk.insert_new_rows(Notification, [
        {"recipient_id": pk, "kind": kind, "text": text, "url": url, "created_at": created,
         "event": event}
        for pk, text in rows
    ], unique=["event", "recipient_id"])
    return [row["recipient_id"] for row in stored]
