from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from .rules import member_of


@dataclass(frozen=True)
class _ThisSite:
    """What allauth's emails call `current_site`: our name and address, from settings
    (the django.contrib.sites row still says example.com unless someone edits it)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A member lands on their home chapter's page (unless `?next=` says otherwise)."""
        member = member_of(request.user)
        if member is not None:
            return member.home_chapter.get_absolute_url()
        return super().get_login_redirect_url(request)

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        """Confirm the address, then send the notices whose emails waited for it
        (notifications only mail confirmed addresses)."""
        confirmed = super().confirm_email(request, email_address)
        member = member_of(email_address.user)
        if confirmed and member is not None:
            from chapterhouse.notifications.services import email_held_notices

            email_held_notices(member)
        return confirmed

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        site = _ThisSite(
            name=settings.SITE_NAME,
            domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_NAME,
        )
        super().send_mail(template_prefix, email, {"current_site": site, **context})
