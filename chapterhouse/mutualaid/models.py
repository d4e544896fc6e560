"""A chapter's mutual-aid board: offers and requests of its members."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 1_000
# An entry leaves the board after this many days unless its author chose otherwise.
DEFAULT_DAYS = 30
# The furthest an author may set the expiry: a board of year-old entries helps nobody.
MAX_DAYS = 365


class EntryKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    REQUEST = "request", _("Request")


class Category(models.TextChoices):
    SKILLS = "skills", _("Skills")
    GOODS = "goods", _("Goods")
    RIDES = "rides", _("Rides")
    HOUSING = "housing", _("Housing")
    TIME = "time", _("Time")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    FULFILLED = "fulfilled", _("Fulfilled")
    REMOVED = "removed", _("Removed by the facilitators")


def default_expiry() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS)


class EntryQuerySet(models.QuerySet["Entry"]):
    def on_board(self, today: datetime.date) -> EntryQuerySet:
        """Open and not expired: what a board lists."""
        return self.filter(status=Status.OPEN, expires_on__gte=today)

    def visible_to(self, member: Member | None) -> EntryQuerySet:
        """What `member` (None: anonymous or inactive) may see of these entries: those
        made visible to everyone, their own, and those of the chapters they belong to
        (their home chapter and its ancestors: one path filter, no per-row check).
        Removed entries only their author sees here (facilitators see them on their
        detail page)."""
        shown = models.Q(visible_to_everyone=True) & ~models.Q(status=Status.REMOVED)
        if member is None:
            return self.filter(shown)
        belongs = models.Q(chapter__path__in=member.home_chapter.ancestor_paths()) & ~models.Q(
            status=Status.REMOVED)
        return self.filter(shown | belongs | models.Q(author=member))

    def newest_first(self) -> EntryQuerySet:
        return self.order_by("-created_at", "-pk")


class Entry(models.Model):
    """An offer or a request on a chapter's board. Written only by services.

    It shows on the board while it is open and its expiry date has not passed.
    `visible_to_everyone`: its author chose to show it outside the chapter's members
    (to anyone, signed in or not); otherwise only the chapter's members see it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="aid_entries"
    )
    # The entry goes with its author's account: it is theirs and nobody else's record.
    author = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="aid_entries"
    )
    kind = models.CharField(_("offer or request"), max_length=10, choices=EntryKind.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH,
                                   blank=True)
    visible_to_everyone = models.BooleanField(_("visible to everyone"), default=False)
    expires_on = models.DateField(_("shown until"), default=default_expiry)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    removed_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    removed_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("mutual-aid entry")
        verbose_name_plural = _("mutual-aid entries")
        indexes = [
            models.Index(fields=["chapter", "status", "-created_at"], name="aid_entry_board"),
            models.Index(fields=["author", "-created_at"], name="aid_entry_author"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="aid_entry_titled"),
            models.CheckConstraint(
                condition=models.Q(kind__in=EntryKind.values), name="aid_entry_kind_known"),
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values),
                name="aid_entry_category_known"),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="aid_entry_status_known"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mutualaid:detail", kwargs={
            "url_path": self.chapter.url_path, "public_id": self.public_id,
        })

    def is_expired(self, today: datetime.date | None = None) -> bool:
        return self.expires_on < (today or timezone.localdate())

    def is_on_board(self, today: datetime.date | None = None) -> bool:
        return self.status == Status.OPEN and not self.is_expired(today)
