"""iCalendar feeds (RFC 5545, the icalendar library): a chapter's public events, and a
member's "my events". An interface module: it only presents what selectors read.

A chapter's repeating event is one VEVENT with its RRULE (DTSTART in the event's own
zone, so the rule keeps its wall-clock time), EXDATE for each cancelled occurrence,
and one VEVENT with RECURRENCE-ID for each moved or renamed occurrence. A member's
feed lists each occurrence they answered going or maybe as its own VEVENT.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from icalendar import Calendar, vRecur
from icalendar import Event as VEvent

from . import recurrence
from .models import Event, Rsvp
from .recurrence import Occurrence


def _uid(event: Event, suffix: str = "") -> str:
    return f"{event.public_id}{suffix}@chapterhouse"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Chapterhouse//events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _link(event: Event) -> str:
    return settings.SITE_URL.rstrip("/") + event.get_absolute_url()


def _common(vevent: VEvent, event: Event, title: str) -> None:
    vevent.add("summary", title)
    if event.description:
        vevent.add("description", event.description)
    where = event.address or event.online_url
    if where:
        vevent.add("location", where)
    if event.has_point:
        vevent.add("geo", (event.latitude, event.longitude))
    vevent.add("url", _link(event))
    vevent.add("dtstamp", event.updated_at.astimezone(UTC))
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")


def _series(event: Event) -> list[VEvent]:
    zone = event.zone
    main = VEvent()
    main.add("uid", _uid(event))
    main.add("dtstart", event.starts_at.astimezone(zone))
    main.add("dtend", event.ends_at.astimezone(zone))
    _common(main, event, event.title)
    found = [main]
    if not event.recurrence:
        return found
    main.add("rrule", vRecur.from_ical(event.recurrence))
    for change in event.changes.all():
        original = change.original_start.astimezone(zone)
        if change.cancelled:
            main.add("exdate", original)
            continue
        occurrence = recurrence.make_occurrence(
            event, change.original_start, {change.original_start.astimezone(UTC): change})
        moved = VEvent()
        moved.add("uid", _uid(event))
        moved.add("recurrence-id", original)
        moved.add("dtstart", occurrence.starts_at.astimezone(zone))
        moved.add("dtend", occurrence.ends_at.astimezone(zone))
        _common(moved, event, occurrence.title)
        found.append(moved)
    return found


def chapter_feed(name: str, events: Iterable[Event]) -> bytes:
    calendar = _calendar(name)
    for event in events:
        for vevent in _series(event):
            calendar.add_component(vevent)
    return bytes(calendar.to_ical())


def _single(occurrence: Occurrence, answer: str) -> VEvent:
    event = occurrence.event
    vevent = VEvent()
    vevent.add("uid", _uid(event, f"-{occurrence.key}") if event.repeats else _uid(event))
    vevent.add("dtstart", occurrence.starts_at.astimezone(event.zone))
    vevent.add("dtend", occurrence.ends_at.astimezone(event.zone))
    _common(vevent, event, occurrence.title)
    if occurrence.cancelled:
        vevent["status"] = "CANCELLED"
    elif answer == "maybe":
        vevent["status"] = "TENTATIVE"
    return vevent


def member_feed(name: str, answers: Iterable[Rsvp]) -> bytes:
    calendar = _calendar(name)
    for rsvp in answers:
        event = rsvp.event
        changes = {c.original_start.astimezone(UTC): c for c in event.changes.all()}
        occurrence = recurrence.make_occurrence(event, rsvp.occurrence, changes)
        calendar.add_component(_single(occurrence, rsvp.answer))
    return bytes(calendar.to_ical())


def parse(data: bytes) -> Calendar:
    """A feed read back (the tests, and anyone checking one)."""
    return Calendar.from_ical(data)


__all__ = ["chapter_feed", "member_feed", "parse"]
