"""An email provider's inbound webhook (django-anymail: Mailgun, Postmark, SendGrid,
Amazon SES, Brevo, Mailjet, SparkPost… at /anymail/<provider>/inbound/). Anymail checks
the request (its basic-auth secret, the provider's signature) and hands each message
over by its `inbound` signal; this is the interface that receives it: one service, and
a bounce by email when it refuses (a webhook has no SMTP answer to give).

A refusal is answered 200 all the same: a provider retries a webhook that failed, and
a refused reply would be refused again."""

from __future__ import annotations

import logging
from typing import Any

from . import services

logger = logging.getLogger(__name__)


def on_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    message = event.message
    if message is None:
        return
    if getattr(message, "spam_detected", False):
        # The provider judged it spam: neither posted nor answered (the From is forged).
        logger.info("Reply by email through %s dropped as spam", esp_name)
        return
    recipient = getattr(message, "envelope_recipient", None)
    try:
        received = services.receive(message=message, recipients=[recipient] if recipient else [])
    except services.ReplyRefused as refused:
        logger.info("Reply by email through %s refused (%s)", esp_name, refused.reason)
        services.send_bounce(message=message, refused=refused)
        return
    logger.info("Reply by email through %s posted at %s%s", esp_name, received.url,
                " (again)" if received.duplicate else "")
