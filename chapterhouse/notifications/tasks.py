"""Background work for notices. Tasks take ids and are safe to run twice."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Notification


@task(queue_name="email")
def send_notification_email(notification_id: int) -> None:
    """Email one notice. Idempotent: a notice already emailed is not sent again."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient__user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return
        user = notification.recipient.user
        language = notification.recipient.languages[0] if notification.recipient.languages else "en"
        with translation.override(language):
            body = notification.text
            if notification.url:
                body += "\n\n" + settings.SITE_URL.rstrip("/") + notification.url
            body += "\n\n" + _("You can choose which notices reach you by email in your settings.")
            send_mail(
                subject=f"[{settings.SITE_NAME}] {notification.text[:120]}",
                message=body,
                from_email=None,
                recipient_list=[user.email],
            )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
