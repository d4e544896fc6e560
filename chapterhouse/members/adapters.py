"""allauth's hooks: where a member lands after logging in, what confirming an address
sets off, and how allauth's emails go (through the task queue, naming our site)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest

from chapterhouse.lib.clientip import client_ip
from chapterhouse.lib.interface import as_viewer, viewer_of
from chapterhouse.notifications.services import email_held_notices, queue_email


@dataclass(frozen=True)
class _ThisSite:
    """What allauth's emails call `current_site`: our name and address, from settings
    (the django.contrib.sites row still says example.com unless someone edits it)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """A member lands on their home chapter's page (unless `?next=` says otherwise)."""
        member = viewer_of(request).member
        if member is not None:
            return member.home_chapter.get_absolute_url()
        url: str = super().get_login_redirect_url(request)
        return url

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """Confirm the address, then send the notices whose emails waited for it
        (notifications only mail confirmed addresses)."""
        confirmed: bool = super().confirm_email(request, email_address)
        member = as_viewer(email_address.user).member
        if confirmed and member is not None:
            email_held_notices(member)
        return confirmed

    def set_password(self, user: Any, password: str) -> None:
        """A new password (changed, reset or set) ends every API token of the account."""
        from . import services

        super().set_password(user, password)
        services.revoke_api_tokens(user=user)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits count by: the one lib.clientip trusts."""
        return client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every email of allauth's (address confirmation, password reset, …) is
        rendered now and sent by the task queue, retried like the notices' emails: the
        request never waits for the mail server, nor fails when it is down."""
        site = _ThisSite(
            name=settings.SITE_NAME,
            domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_NAME,
        )
        # allauth's own send_mail adds the request and the address to the context too.
        request = allauth_context.request
        message = self.render_mail(template_prefix, email, {
            "request": request, "email": email, "current_site": site, **context,
        })
        queue_email(message=message)
