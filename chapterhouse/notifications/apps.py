from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "chapterhouse.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(_send_held_emails, dispatch_uid="notifications.held_emails")


def _send_held_emails(sender: object, request: object, email_address: object,
                      **kwargs: object) -> None:
    from chapterhouse.members.models import Member

    from .services import email_held_notices

    member = Member.objects.filter(user_id=email_address.user_id).first()  # type: ignore[attr-defined]
    if member is not None:
        email_held_notices(member)
