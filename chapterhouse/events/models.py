"""A chapter's events: when and where, who comes, how it repeats.

An event has one start and end (aware datetimes, stored in UTC) and the IANA zone it
happens in (`time_zone`), which is what a repeating rule (`recurrence`, an RFC 5545
RRULE) is read in, so "every Tuesday at 19:00" stays at 19:00 across daylight saving.
One occurrence of a repeating event is changed or cancelled by an `OccurrenceChange`
keyed by its original start. Answers (`Rsvp`) are per occurrence: `occurrence` is the
occurrence's original start (the event's start for a one-off event).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 20_000
ADDRESS_MAX_LENGTH = 300
RRULE_MAX_LENGTH = 500


class EventSettings(models.Model):
    """A chapter's choices about its events, set by its facilitators (a row only once
    they chose: no row means the defaults)."""

    chapter = models.OneToOneField(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="event_settings"
    )
    # Whether every member who belongs to the chapter may create events, not only its
    # facilitators (as Chapter.members_may_announce for announcements).
    members_may_create = models.BooleanField(
        _("members may create events"), default=False
    )
    # Whether the events of the chapters below show on this chapter's calendar.
    shows_subchapter_events = models.BooleanField(
        _("show the events of the chapters below"), default=False
    )

    def __str__(self) -> str:
        return f"Event settings of {self.chapter_id}"


class EventQuerySet(models.QuerySet["Event"]):
    def live(self) -> EventQuerySet:
        return self.filter(cancelled_at__isnull=True)


class Event(models.Model):
    """A chapter's event. Written only by the services."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="events"
    )
    # The event stays when its author's account goes (the chapter holds it).
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="events_created",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH,
                                   blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    address = models.CharField(_("address"), max_length=ADDRESS_MAX_LENGTH, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    recurrence = models.CharField(_("repeats"), max_length=RRULE_MAX_LENGTH, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    remind_before = models.DurationField(default=timedelta(hours=24))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["chapter", "starts_at"], name="event_chapter_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(condition=~models.Q(title=""), name="event_has_title"),
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True, longitude__isnull=True)
                           | models.Q(latitude__gte=-90, latitude__lte=90,
                                      longitude__gte=-180, longitude__lte=180)),
                name="event_point_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"public_id": self.public_id})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def repeats(self) -> bool:
        return bool(self.recurrence)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class OccurrenceChange(models.Model):
    """One occurrence of a repeating event, changed (another start, end or title) or
    cancelled; `original_start` is the start the rule gives it (RFC 5545 RECURRENCE-ID)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="changes")
    original_start = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "original_start"],
                                    name="occurrence_change_unique"),
            models.CheckConstraint(
                condition=(models.Q(starts_at__isnull=True, ends_at__isnull=True)
                           | models.Q(ends_at__gt=models.F("starts_at"))),
                name="occurrence_change_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.original_start.isoformat()}"


class Answer(models.TextChoices):
    GOING = "going", _("Going")
    MAYBE = "maybe", _("Maybe")
    NOT_GOING = "not_going", _("Not going")
    WAITING = "waiting", _("On the waiting list")


class Rsvp(models.Model):
    """A member's answer to one occurrence. WAITING: they want to go but the event was
    full; `queued_at` orders the waiting list (first in line is promoted first)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    occurrence = models.DateTimeField()
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="rsvps")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    queued_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "occurrence", "member"],
                                    name="rsvp_one_per_member"),
        ]
        indexes = [models.Index(fields=["event", "occurrence", "answer", "queued_at"],
                                name="rsvp_event_answer")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.answer} {self.event_id}"


class ReminderSent(models.Model):
    """That the reminders of one occurrence went out (so a task run twice sends once
    and schedules the next occurrence's reminder once)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    occurrence = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "occurrence"],
                                               name="reminder_sent_once")]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.occurrence.isoformat()}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The unguessable key of a member's private "my events" feed; reset makes a new one."""

    member = models.OneToOneField("members.Member", on_delete=models.CASCADE,
                                  related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar of {self.member_id}"


def occurrence_key(when: datetime) -> str:
    """An occurrence in a URL: its original start in UTC, 20260107T190000Z."""
    return when.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


# -- Meetings: an agenda before, minutes after ------------------------------------------

AGENDA_MAX_ITEMS = 50
NOTES_MAX_LENGTH = 2_000
MINUTES_MAX_LENGTH = 50_000


class AgendaItem(models.Model):
    """One item of an event's agenda, in `position` order; it may name a proposal of
    the event's chapter (the one discussed or decided on)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True)
    # A proposal outlives the agenda that names it, and the reverse.
    proposal = models.ForeignKey(
        "decisions.Proposal", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="agenda_items",
    )

    class Meta:
        ordering = ["event", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "position"], name="agenda_item_position"),
            models.CheckConstraint(condition=~models.Q(title=""), name="agenda_item_has_title"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Minutes(models.Model):
    """What happened at the event (Markdown), written once it has started."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("minutes"), max_length=MINUTES_MAX_LENGTH)
    # The minutes stay with the chapter when their writer's account goes.
    written_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"Minutes of {self.event_id}"


class MeetingDecision(models.Model):
    """A vote taken at the event and recorded as a decision (decisions.services.
    record_meeting_vote): the minutes link to its record."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="decisions")
    decision = models.OneToOneField("decisions.Decision", on_delete=models.PROTECT,
                                    related_name="meeting")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id}: decision {self.decision_id}"
