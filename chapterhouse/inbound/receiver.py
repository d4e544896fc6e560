"""The organisation's own mail server hands replies to this small LMTP (or SMTP)
receiver (`manage.py receive_mail`, aiosmtpd): each message goes to the same
services.receive as the webhook's, and a refusal is the SMTP answer itself
(550 5.7.1 and why), which the mail server turns into a bounce to the sender.

One recipient per message: a second RCPT is answered 452 (the mail server sends it
again in its own transaction), so the one status after DATA is right for LMTP too.
Addresses that are not valid reply addresses are refused at RCPT already.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import threading
from functools import partial
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections
from django.utils.translation import gettext as _
from django.utils.translation import override

from chapterhouse.notifications import replies

from . import services

logger = logging.getLogger(__name__)


def _status(code: int, enhanced: str, text: str) -> str:
    """One SMTP reply line: ASCII, no line breaks (the refusals are written for people,
    in English here since the mail server quotes them in its own bounce)."""
    plain = " ".join(text.split()).encode("ascii", "replace").decode("ascii")
    return f"{code} {enhanced} {plain}"


def _process(content: bytes, recipient: str) -> str:
    close_old_connections()
    try:
        message = email.message_from_bytes(content, policy=email.policy.default)
        try:
            received = services.receive(message=message, recipients=[recipient],
                                        language="en")
        except services.ReplyRefused as refused:
            logger.info("Reply by email refused (%s)", refused.reason)
            return _status(*refused.smtp, refused.message)
        return _status(250, "2.0.0", f"Posted at {received.url}")
    except Exception:
        logger.exception("Reply by email failed")
        return _status(451, "4.3.0", "Could not post the reply now: try again later.")
    finally:
        close_old_connections()


class ReplyHandler:
    """aiosmtpd's handler: RCPT checks the address, DATA posts the reply."""

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if envelope.rcpt_tos:
            return "452 4.5.3 One recipient at a time, please"
        if not settings.REPLY_DOMAIN or replies.read_address(address) is None:
            with override("en"):
                return _status(550, "5.1.1", _("There is no such address here."))
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        if not isinstance(content, bytes) or not envelope.rcpt_tos:
            return "554 5.5.1 No valid recipient"
        # The database is used from a thread of the executor, never from the loop.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, partial(_process, content, envelope.rcpt_tos[0]))


class _LMTPController(Controller):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


def start(host: str, port: int, *, lmtp: bool = True) -> Controller:
    """Start listening (in a thread of its own) and return the controller (`.stop()`)."""
    kind = _LMTPController if lmtp else Controller
    options: dict[str, Any] = {"data_size_limit": settings.REPLY_MAX_MESSAGE_BYTES,
                               "decode_data": False}
    controller = kind(ReplyHandler(), hostname=host, port=port, **options)
    controller.start()
    return controller


def serve(host: str, port: int, *, lmtp: bool = True,
          until: threading.Event | None = None) -> None:
    """Receive until `until` is set (or for ever: the command stops on a signal)."""
    controller = start(host, port, lmtp=lmtp)
    try:
        (until or threading.Event()).wait()
    finally:
        controller.stop()
