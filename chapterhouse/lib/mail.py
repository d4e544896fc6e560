"""Sending email: bounded waits, one connection for a run of messages, and the back-off
between attempts.

Delivery is at least once: a message the server accepted but whose acceptance never
reached us (the connection dropped after DATA) is sent again by the retry.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

# Errors about one message, not about the server: the next message may well go.
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                   smtplib.SMTPDataError)


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after the `attempts`-th failed attempt before the next one, or
    None when there is no attempt left (settings.EMAIL_RETRY_DELAYS)."""
    delays = settings.EMAIL_RETRY_DELAYS
    if attempts < 1 or attempts > len(delays):
        return None
    return timedelta(seconds=delays[attempts - 1])


def claim_duration() -> timedelta:
    """How long a worker may take to send one message before others presume it dead
    and send it again: each step of an SMTP exchange (connect, greeting, EHLO, TLS,
    login, MAIL, RCPT, DATA, QUIT) may take EMAIL_TIMEOUT, so ten of them."""
    return timedelta(seconds=10 * float(settings.EMAIL_TIMEOUT or 10))


def server_at_fault(error: BaseException) -> bool:
    """Whether `error` says the mail server cannot be reached or would not talk to us
    (refused, timed out, hung up, TLS or login failed), as opposed to refusing one
    message: then the other messages of a run need not try until the next retry."""
    if isinstance(error, _MESSAGE_ERRORS):
        return False
    return isinstance(error, OSError)  # smtplib.SMTPException is an OSError too


def describe(error: BaseException) -> str:
    """A short line for staff: the kind of error and what it said."""
    return f"{type(error).__name__}: {error}"[:300]


class Sender:
    """Sends messages over one connection to the configured backend, opened at the
    first message and again after an error. Every network wait is bounded by
    EMAIL_TIMEOUT (Django's SMTP backend reads it). Use as a context manager."""

    def __init__(self) -> None:
        self._connection: Any = None

    def send(self, message: EmailMessage) -> None:
        """Send `message` or raise what the backend raised."""
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
            self._connection.open()
        try:
            sent = self._connection.send_messages([message])
        except BaseException:
            self.close()  # the connection may be half way through a command
            raise
        if not sent:
            raise smtplib.SMTPException("the backend sent nothing")

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: S110 - a connection that fails to close is gone anyway
                pass

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
