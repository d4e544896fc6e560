"""The one-click unsubscribe link of every notification email (RFC 8058).

The link carries a token signed with the site's secret (django.core.signing, with a
timestamp): the member's public id and the kinds of notice the email was about. A POST
to it turns those kinds' email off, with no login: the mail client posts it
("List-Unsubscribe=One-Click") and has no session. A forged or altered token is refused,
and so is one older than UNSUBSCRIBE_MAX_AGE (the member's settings page still works).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from chapterhouse.lib.errors import Refused

from .models import Kind

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

SALT = "chapterhouse.notifications.unsubscribe"
# Long enough for an email read weeks later; short enough that an old email leaked
# does not keep working for ever.
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)


@dataclass(frozen=True)
class Unsubscription:
    member: str  # the member's public id
    kinds: tuple[str, ...]


def token_for(member: Member, kinds: list[str]) -> str:
    return signing.dumps({"m": str(member.public_id), "k": sorted(set(kinds))}, salt=SALT,
                         compress=True)


def link_for(member: Member, kinds: list[str]) -> str:
    """The absolute unsubscribe URL for `member` and `kinds`."""
    path = reverse("notifications:unsubscribe", kwargs={"token": token_for(member, kinds)})
    return settings.SITE_URL.rstrip("/") + path


def headers_for(member: Member, kinds: list[str]) -> dict[str, str]:
    """The RFC 8058 headers of an email about `kinds`."""
    return {
        "List-Unsubscribe": f"<{link_for(member, kinds)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def read_token(token: str) -> Unsubscription:
    """What a token says; Refused (with the reason for the reader) if it is forged,
    altered or expired."""
    try:
        data = signing.loads(token, salt=SALT,
                             max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise Refused(_("This unsubscribe link has expired. You can choose which emails "
                        "you get in your email settings.")) from None
    except signing.BadSignature:
        raise Refused(_("This unsubscribe link is not valid. You can choose which emails "
                        "you get in your email settings.")) from None
    kinds = data.get("k") if isinstance(data, dict) else None
    if (not isinstance(data.get("m"), str) or not isinstance(kinds, list) or not kinds
            or any(kind not in Kind.values for kind in kinds)):
        raise Refused(_("This unsubscribe link is not valid. You can choose which emails "
                        "you get in your email settings."))
    return Unsubscription(member=data["m"], kinds=tuple(kinds))
