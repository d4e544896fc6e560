"""Background work for notices. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from .models import Notification
from .selectors import language_for

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL.rstrip("/") + url
    if url.startswith(("https://", "http://")):
        return url
    return ""


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
        if not user.is_active or not user.email:
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
