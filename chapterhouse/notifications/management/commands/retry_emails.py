"""Queue every email whose retry is due (cron, and the safety net under the retries the
send tasks queue themselves)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from chapterhouse.notifications.services import retry_due_emails


class Command(BaseCommand):
    help = "Queue the sending of every email whose retry is due. Safe to run at any time."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"queued {retry_due_emails()} emails")
