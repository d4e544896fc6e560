"""manage.py receive_mail: the LMTP (or SMTP) receiver of replies by email, for a mail
server of the organisation's own (README-reply-by-email.md). Runs until stopped
(SIGTERM or Ctrl-C), under a supervisor as the web and worker processes are."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chapterhouse.inbound import receiver


class Command(BaseCommand):
    help = "Receive replies by email over LMTP (or SMTP with --smtp) and post them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None,
                            help="Address to listen on (RECEIVE_MAIL_HOST, 127.0.0.1).")
        parser.add_argument("--port", type=int, default=None,
                            help="Port to listen on (RECEIVE_MAIL_PORT, 8025).")
        parser.add_argument("--smtp", action="store_true",
                            help="Speak SMTP instead of LMTP.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REPLY_DOMAIN:
            raise CommandError("Set REPLY_DOMAIN first: without it no reply address exists.")
        host = options["host"] or settings.RECEIVE_MAIL_HOST
        port = options["port"] or settings.RECEIVE_MAIL_PORT
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_args: stop.set())
        protocol = "SMTP" if options["smtp"] else "LMTP"
        self.stdout.write(f"Receiving replies for {settings.REPLY_DOMAIN} over {protocol} "
                          f"at {host}:{port}")
        receiver.serve(host, port, lmtp=not options["smtp"], until=stop)
        self.stdout.write("Stopped.")
