"""The governance audit log: who did what to which object, and when.

Entries are written only through `chapterhouse.lib.audit.record` and never
changed afterwards.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    # Null when the system or a site administrator without a profile acted, or
    # once the acting member deleted their account: the entry outlives them.
    actor = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=60)
    # The target is named, not linked: many targets (declined invitations,
    # withdrawn proposals) are deleted, and the record of them must stay.
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64)
    chapter = models.ForeignKey(
        "chapters.Chapter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chapter"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["chapter", "-created_at"], name="auditentry_chapter_recent"),
            models.Index(fields=["target_type", "target_id"], name="auditentry_target"),
            models.Index(fields=["action", "-created_at"], name="auditentry_action_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit entries are never changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def target_label(self) -> str:
        """The target as "app.Model:pk", e.g. "chapters.ChapterRole:12"."""
        return f"{self.target_type}:{self.target_id}"
