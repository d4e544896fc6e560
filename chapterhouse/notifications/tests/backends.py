"""Email backends that fail the way mail servers do, for the tests of retries."""

import smtplib
from typing import Any, ClassVar

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class DownBackend(LocmemBackend):
    """A mail server that is down: every connection is refused. Counts the tries."""

    connections: ClassVar[int] = 0

    def open(self) -> bool:
        type(self).connections += 1
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages: Any) -> int:
        self.open()
        return 0


class RefusingBackend(LocmemBackend):
    """A mail server that refuses the addresses in `refused` and delivers the rest."""

    refused: ClassVar[set[str]] = set()

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused(
                    {address: (550, b"No such user") for address in message.to})
        return int(super().send_messages(messages))
