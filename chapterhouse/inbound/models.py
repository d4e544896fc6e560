"""What is kept of the replies received by email: which message was posted (so that a
message delivered twice, as mail servers and webhooks do after a timeout, is posted
once) and when each member's replies came (their hourly limit). Refused mail leaves
nothing here."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReceivedReply(models.Model):
    # sha256 of the message's Message-ID (or of the whole message, if it has none) and
    # of the reply address it came to: one message may answer two notices.
    key = models.CharField(max_length=64, unique=True)
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    target_id = models.UUIDField()
    url = models.CharField(max_length=500)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reply received by email")
        verbose_name_plural = _("replies received by email")
        indexes = [models.Index(fields=["member", "received_at"],
                                name="inbound_member_received")]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_id} ← {self.member_id}"
