"""Posting a reply received by email, and telling the sender when it was refused.

`receive` is the one processing step of both inbound paths (the provider webhook,
webhooks.py, and the LMTP/SMTP receiver, receiver.py): it reads which notice the mail
answers from its signed reply-to address (notifications.replies), checks that it comes
from that notice's recipient, takes the reply out of the quoted message and signature
(text.py), and hands it to the handler its kind registered, as the member. Anything
refused raises `ReplyRefused` with nothing stored; each interface then bounces the
refusal its own way (an SMTP error, or send_bounce's email).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from email.utils import getaddresses
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chapterhouse.lib.errors import Refused
from chapterhouse.notifications import replies
from chapterhouse.notifications.selectors import language_for
from chapterhouse.notifications.services import queue_email

from .models import ReceivedReply
from .text import message_text, reply_text

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

# Bounces sent to one address per hour at most (a loop with an auto-responder, or
# forged senders, must not turn us into a mail cannon).
BOUNCES_PER_HOUR = 5


class ReplyRefused(Refused):
    """A reply by email that was not posted: `message` for the sender (in the language
    `receive` was asked for), `reason` a short code, `smtp` the status an SMTP or LMTP
    server answers with (code, enhanced code), `member` the member the address names,
    if any, and `bounce` whether the sender should be told by email (never for
    automatic mail: out-of-office replies would answer the bounce)."""

    def __init__(self, message: str, *, reason: str, smtp: tuple[int, str] = (550, "5.7.1"),
                 member: Member | None = None, bounce: bool = True) -> None:
        super().__init__(message)
        self.reason = reason
        self.smtp = smtp
        self.member = member
        self.bounce = bounce


@dataclass(frozen=True)
class Received:
    member: Member
    url: str
    # The same message was received and posted before: nothing new was posted.
    duplicate: bool = False


def receive(*, message: Message, recipients: Iterable[str] = (),
            language: str | None = None) -> Received:
    """Post the reply `message` carries (an email.message.Message as received, headers
    and MIME parts) to what its reply address names, as the member it names; returns
    where it was posted.

    `recipients`: the envelope's (RCPT TO, a webhook's envelope recipient); the To,
    Cc and Delivered-To headers are read too. `language`: of the refusals' messages;
    None for the member's language (or the site's when the address names nobody).

    Refused (ReplyRefused, nothing stored): replying by email off; no reply address
    of ours; a forged or altered one; a member gone or deactivated; a From that is not
    one of the member's verified addresses; automatic mail (out-of-office); an empty
    reply once quote and signature are removed; more than REPLY_RATE_PER_HOUR replies
    in the past hour; whatever the target's handler refuses (a locked thread, no right
    to post there, too long). Idempotent: a message received again (same Message-ID,
    same address) is not posted twice; the first post's URL is returned.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        if not settings.REPLY_DOMAIN:
            raise ReplyRefused(_("This site does not take replies by email."),
                               reason="off", smtp=(550, "5.1.1"))
        address, target = _target_of(message, recipients)
    member = _member(target.member_id)
    with translation.override(language or (language_for(member) if member
                                            else settings.LANGUAGE_CODE)):
        if member is None or not member.user.is_active:
            raise ReplyRefused(_("This reply address is no longer valid."), reason="gone",
                               member=member)
        if not _sent_by(member, message):
            raise ReplyRefused(
                _("Replies are accepted only from the email address the notice was sent "
                  "to."), reason="sender", member=member)
        if _automatic(message):
            raise ReplyRefused(_("Automatic replies are not posted."), reason="automatic",
                               member=member, bounce=False)
        handler = replies.handler_for(target.kind)
        if handler is None:
            raise ReplyRefused(_("This reply address is no longer valid."), reason="kind",
                               member=member)
        text = reply_text(message_text(message))
        if not text.strip():
            raise ReplyRefused(
                _("Your reply was empty once the quoted message and your signature were "
                  "left out: write your answer above the quoted text."),
                reason="empty", smtp=(550, "5.6.0"), member=member)
        key = _key(message, address)
        earlier = ReceivedReply.objects.filter(key=key).first()
        if earlier is not None:
            return Received(member=member, url=earlier.url, duplicate=True)
        since = timezone.now() - timedelta(hours=1)
        if (ReceivedReply.objects.filter(member=member, received_at__gte=since).count()
                >= settings.REPLY_RATE_PER_HOUR):
            raise ReplyRefused(
                _("You have sent too many replies by email in the past hour: try again "
                  "later, or reply on the site."),
                reason="rate", smtp=(450, "4.7.1"), member=member)
        try:
            with transaction.atomic():
                ReceivedReply.objects.create(key=key, member=member, kind=target.kind,
                                             target_id=target.target_id, url="")
                try:
                    url = handler(member, target.target_id, text)
                except ReplyRefused:
                    raise
                except Refused as refused:
                    raise ReplyRefused(refused.message, reason="target",
                                       member=member) from None
                except ValidationError as invalid:
                    raise ReplyRefused(" ".join(invalid.messages), reason="target",
                                       member=member) from None
                ReceivedReply.objects.filter(key=key).update(url=url[:500])
        except IntegrityError:
            # The same message, received twice at once: the other one posted it.
            earlier = ReceivedReply.objects.filter(key=key).first()
            if earlier is None:
                raise
            return Received(member=member, url=earlier.url, duplicate=True)
    return Received(member=member, url=url)


def _addresses(message: Message, recipients: Iterable[str]) -> list[str]:
    headers: list[str] = []
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        headers.extend(str(value) for value in message.get_all(name) or [])
    return [*recipients, *(address for _name, address in getaddresses(headers) if address)]


def _target_of(message: Message, recipients: Iterable[str]) -> tuple[str, replies.ReplyTarget]:
    """The first reply address of ours the mail came to, and what it names."""
    ours = False
    domain = settings.REPLY_DOMAIN.lower()
    for address in _addresses(message, recipients):
        target = replies.read_address(address)
        if target is not None:
            return address.lower(), target
        ours = ours or address.lower().endswith("@" + domain)
    if ours:
        raise ReplyRefused(
            _("This reply address is not valid: reply to the notice email you received, "
              "without changing the address."), reason="forged")
    raise ReplyRefused(_("There is no such address here."), reason="unknown",
                       smtp=(550, "5.1.1"))


def _member(public_id: object) -> Member | None:
    # members sits above notifications, not above inbound; by label all the same, as the
    # notifications app names the recipients' model.
    model = apps.get_model("members", "Member")
    member: Member | None = model.objects.select_related("user").filter(
        public_id=public_id).first()
    return member


def _sender(message: Message) -> str:
    """The one address in From, lowercased, or ""."""
    found = [address for _name, address in getaddresses(
        [str(value) for value in message.get_all("From") or []]) if "@" in address]
    return found[0].strip().lower() if len(found) == 1 else ""


def _sent_by(member: Member, message: Message) -> bool:
    """Whether the From address is one of the member's verified addresses (their
    account's address, when the site does not verify addresses)."""
    from allauth.account.models import EmailAddress

    sender = _sender(message)
    if not sender:
        return False
    if settings.ACCOUNT_EMAIL_VERIFICATION == "none":
        return bool(sender == member.user.email.lower())
    verified: bool = EmailAddress.objects.filter(user=member.user, email__iexact=sender,
                                                 verified=True).exists()
    return verified


def _automatic(message: Message) -> bool:
    """Out-of-office and other automatic mail (RFC 3834), or a bounce."""
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (submitted != "no" or precedence in {"bulk", "junk", "list", "auto_reply"}
            or "X-Autoreply" in message or "X-Autorespond" in message)


def _key(message: Message, address: str) -> str:
    identity = str(message.get("Message-ID", "")).strip()
    if not identity:
        identity = hashlib.sha256(message.as_bytes()).hexdigest()
    return hashlib.sha256(f"{identity}\n{address}".encode()).hexdigest()


def send_bounce(*, message: Message, refused: ReplyRefused) -> bool:
    """Tell the sender of a refused reply why it was not posted, by email (queued: sent
    by the worker), in the member's language (the one the address names, else the one
    whose verified address sent it, else the site's). Not for automatic mail, mail
    without a sender, or an address bounced to BOUNCES_PER_HOUR times this hour.
    Returns whether a bounce was queued."""
    sender = _sender(message)
    if not refused.bounce or not sender or _automatic(message) or sender.startswith(
            ("mailer-daemon@", "postmaster@", "noreply@", "no-reply@")):
        return False
    counter = f"inbound:bounces:{hashlib.sha256(sender.encode()).hexdigest()}"
    cache.add(counter, 0, timeout=3600)
    try:
        if cache.incr(counter) > BOUNCES_PER_HOUR:
            return False
    except ValueError:  # expired between add and incr: count this one as the first
        cache.set(counter, 1, timeout=3600)
    member = refused.member or _member_with_address(sender)
    language = language_for(member) if member is not None else settings.LANGUAGE_CODE
    subject = str(message.get("Subject", "")).strip()
    with translation.override(language):
        reason = refused.message
        if refused.member is None or language_for(refused.member) != language:
            # The refusal was written in another language: say it again in this one.
            reason = _again(refused, language)
        body = "\n\n".join([
            _("Your email to %(site)s was not posted:") % {"site": settings.SITE_NAME},
            reason,
            _("Nothing was stored. You can always answer on the site."),
        ]) + "\n"
        queue_email(message=EmailMessage(
            subject=_("Not posted: %(subject)s") % {"subject": subject[:200]} if subject
            else _("Your reply was not posted"),
            body=body, to=[sender]))
    return True


def _again(refused: ReplyRefused, language: str) -> str:
    """A refusal's message in `language` (the handlers' own refusals are kept as they
    were written: they are already in the member's language)."""
    messages = {
        "off": _("This site does not take replies by email."),
        "gone": _("This reply address is no longer valid."),
        "kind": _("This reply address is no longer valid."),
        "sender": _("Replies are accepted only from the email address the notice was "
                    "sent to."),
        "forged": _("This reply address is not valid: reply to the notice email you "
                    "received, without changing the address."),
        "unknown": _("There is no such address here."),
    }
    return messages.get(refused.reason, refused.message)


def _member_with_address(address: str) -> Member | None:
    from allauth.account.models import EmailAddress

    user_id = (EmailAddress.objects.filter(email__iexact=address, verified=True)
               .values_list("user_id", flat=True).first())
    if user_id is None:
        return None
    model = apps.get_model("members", "Member")
    member: Member | None = model.objects.filter(user_id=user_id).first()
    return member
