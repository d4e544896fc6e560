"""Writing events: create, edit, cancel, change one occurrence, answer, remind.

Every function here is keyword-only, runs in one transaction and returns what it
wrote. Who may do it is the interface's check (rules.py); these refuse what only they
can know (an end before the start, a rule that does not parse, a full event, a past
occurrence) with `Refused`, storing nothing.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters import limits
from chapterhouse.lib import audit
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.tasks import task_named
from chapterhouse.notifications.messages import moment, place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify, notify_members_of

from .. import recurrence, selectors
from ..models import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Answer,
    CalendarToken,
    Event,
    EventSettings,
    OccurrenceChange,
    ReminderSent,
    Rsvp,
    new_calendar_token,
)

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

SEND_REMINDERS = "chapterhouse.events.tasks.send_reminders"
# The longest an event (one occurrence) may last.
MAX_DURATION = timedelta(days=31)
MAX_CAPACITY = 100_000


class EventError(Refused):
    """An event or an answer that cannot be stored."""


@dataclass
class EventFields:
    """What a member says about an event (the create and edit forms)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str = ""
    description: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    online_url: str = ""
    capacity: int | None = None
    recurrence: str = ""
    is_public: bool = True
    remind_before: timedelta = timedelta(hours=24)


def _clean(fields: EventFields, chapter: Chapter) -> EventFields:
    title = " ".join((fields.title or "").split())
    if not title:
        raise EventError(_("Give the event a title."))
    if len(title) > TITLE_MAX_LENGTH or len(fields.description or "") > DESCRIPTION_MAX_LENGTH:
        raise EventError(_("The event is too long: at most %(title)s characters for the "
                           "title and %(body)s for the description.")
                         % {"title": TITLE_MAX_LENGTH, "body": DESCRIPTION_MAX_LENGTH})
    zone = fields.time_zone or selectors.chapter_zone(chapter)
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise EventError(_("%(zone)s is not a time zone such as Europe/London.")
                         % {"zone": zone}) from None
    for when in (fields.starts_at, fields.ends_at):
        if when is None or timezone.is_naive(when):
            raise EventError(_("Give the start and the end with their time zone."))
    if fields.ends_at <= fields.starts_at:
        raise EventError(_("The event must end after it starts."))
    if fields.ends_at - fields.starts_at > MAX_DURATION:
        raise EventError(_("An event lasts at most %(days)s days.")
                         % {"days": MAX_DURATION.days})
    if fields.capacity is not None and not 0 <= fields.capacity <= MAX_CAPACITY:
        raise EventError(_("The capacity is a number of people from 0 to %(max)s.")
                         % {"max": MAX_CAPACITY})
    if (fields.latitude is None) != (fields.longitude is None):
        raise EventError(_("Give both the latitude and the longitude, or neither."))
    if fields.latitude is not None and fields.longitude is not None and not (
            -90 <= fields.latitude <= 90 and -180 <= fields.longitude <= 180):
        raise EventError(_("The latitude is from -90 to 90 and the longitude from -180 "
                           "to 180."))
    if len(fields.address or "") > ADDRESS_MAX_LENGTH:
        raise EventError(_("The address is too long."))
    if fields.online_url and not fields.online_url.startswith(("https://", "http://")):
        raise EventError(_("The online link must start with https:// or http://."))
    rule = recurrence.clean_rule(fields.recurrence)
    if rule:
        # Read from this start in this zone (UNTIL must then be in UTC): refused now,
        # not when the calendar is first shown.
        parsed = recurrence.rule_for(rule, fields.starts_at, zoneinfo.ZoneInfo(zone))
        first = parsed.after(fields.starts_at - timedelta(seconds=1), inc=True)
        if first is None or first != fields.starts_at:
            # RFC 5545 counts DTSTART as the first date, dateutil only if the rule gives
            # it: asking for a start the rule gives keeps the two readings the same.
            raise EventError(_("The event must start on a date its repeat rule gives "
                               "(for FREQ=WEEKLY;BYDAY=TU, on a Tuesday)."))
    if fields.remind_before < timedelta(0) or fields.remind_before > timedelta(days=14):
        raise EventError(_("A reminder is sent at most 14 days before."))
    return EventFields(
        title=title, starts_at=fields.starts_at.astimezone(UTC),
        ends_at=fields.ends_at.astimezone(UTC), time_zone=zone,
        description=(fields.description or "").strip(), address=(fields.address or "").strip(),
        latitude=fields.latitude, longitude=fields.longitude,
        online_url=fields.online_url or "", capacity=fields.capacity, recurrence=rule,
        is_public=fields.is_public, remind_before=fields.remind_before,
    )


def _when(occurrence_start: datetime) -> dict[str, str]:
    return moment(occurrence_start)


def create_event(*, chapter: Chapter, author: Member, fields: EventFields) -> Event:
    """Store an event of `chapter` by `author`, open its comments thread, tell the
    chapter's members (a fan-out task enqueued in this transaction, named after the
    event: run twice, it tells each member once) and schedule its first reminder."""
    clean = _clean(fields, chapter)
    with transaction.atomic():
        limits.check(member=author, chapter=chapter,
                     text=f"{clean.title}\n{clean.description}")
        event = Event.objects.create(chapter=chapter, author=author, **clean.__dict__)
        audit.record(actor=author, action="events.create", target=event, chapter=chapter,
                     data={"title": event.title, "starts_at": event.starts_at.isoformat()})
        _start_comments(event, author)
        notify_members_of(
            chapter=chapter, kind=Kind.NEW_EVENT, message="events.new",
            params={"chapter": place(chapter), "title": event.title,
                    "when": _when(event.starts_at)},
            url=event.get_absolute_url(), exclude=[author.pk],
            event=f"new_event:{event.public_id}",
        )
        schedule_reminder(event)
    return event


def _start_comments(event: Event, author: Member) -> None:
    """The event's comments: a thread of the discussions app (as a proposal's
    deliberation), started empty; the members of the event's chapter post in it."""
    if not apps.is_installed("chapterhouse.discussions"):
        return
    from chapterhouse.discussions.services import start_thread

    start_thread(chapter=event.chapter, author=author, title=event.title, body=None,
                 kind="comments", subject=event)


def _answerers(event: Event, occurrence: datetime | None = None) -> list[Member]:
    return list(selectors.answered_by(event, occurrence))


def update_event(*, event: Event, editor: Member, fields: EventFields) -> Event:
    """Change what an event says and tell everyone who answered it. A moved start
    moves the answers and the changed occurrences with it (their keys are starts); a
    larger capacity lets the first in line on each waiting list in."""
    if event.is_cancelled:
        raise EventError(_("This event is cancelled."))
    clean = _clean(fields, event.chapter)
    with transaction.atomic():
        limits.check(member=editor, chapter=event.chapter, hourly=False,
                     text=f"{clean.title}\n{clean.description}")
        locked = Event.objects.select_for_update().get(pk=event.pk)
        shift = clean.starts_at - locked.starts_at
        for name, value in clean.__dict__.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        if shift:
            Rsvp.objects.filter(event=locked).update(occurrence=F("occurrence") + shift)
            OccurrenceChange.objects.filter(event=locked).update(
                original_start=F("original_start") + shift)
            ReminderSent.objects.filter(event=locked).delete()
        for occurrence in (Rsvp.objects.filter(event=locked, answer=Answer.WAITING)
                           .values_list("occurrence", flat=True).distinct()):
            _promote(locked, occurrence)
        notify(recipients=_answerers(locked), kind=Kind.EVENT_UPDATED,
               message="events.updated",
               params={"title": locked.title, "when": _when(locked.starts_at)},
               url=locked.get_absolute_url(),
               event=f"event_updated:{locked.public_id}:{locked.updated_at.isoformat()}")
        schedule_reminder(locked)
    return locked


def cancel_event(*, event: Event, actor: Member) -> Event:
    """Cancel the whole event (every occurrence) and tell everyone who answered.
    Cancelling twice changes nothing more."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.is_cancelled:
            return locked
        locked.cancelled_at = locked.updated_at = timezone.now()
        locked.save(update_fields=["cancelled_at", "updated_at"])
        audit.record(actor=actor, action="events.cancel", target=locked,
                     chapter=locked.chapter, data={"title": locked.title})
        notify(recipients=_answerers(locked), kind=Kind.EVENT_UPDATED,
               message="events.cancelled",
               params={"title": locked.title, "when": _when(locked.starts_at)},
               url=locked.get_absolute_url(), event=f"event_cancelled:{locked.public_id}")
    return locked


def change_occurrence(*, event: Event, actor: Member, original_start: datetime,
                      cancelled: bool = False, starts_at: datetime | None = None,
                      ends_at: datetime | None = None, title: str = "") -> OccurrenceChange:
    """Cancel or move one occurrence of a repeating event (the change is keyed by the
    occurrence's original start) and tell those who answered that occurrence."""
    if not event.repeats:
        raise EventError(_("Only a repeating event has occurrences to change: edit the "
                           "event instead."))
    if not recurrence.is_occurrence(event, original_start):
        raise EventError(_("The event has no occurrence at that time."))
    if (starts_at is None) != (ends_at is None):
        raise EventError(_("Give both the new start and the new end."))
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise EventError(_("The event must end after it starts."))
    title = " ".join((title or "").split())[:TITLE_MAX_LENGTH]
    original_start = original_start.astimezone(UTC)
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        change, _created = OccurrenceChange.objects.update_or_create(
            event=event, original_start=original_start,
            defaults={"cancelled": cancelled, "starts_at": starts_at, "ends_at": ends_at,
                      "title": title},
        )
        Event.objects.filter(pk=event.pk).update(updated_at=timezone.now())
        stamp = timezone.now().isoformat()
        notify(recipients=_answerers(event, original_start), kind=Kind.EVENT_UPDATED,
               message="events.cancelled" if cancelled else "events.updated",
               params={"title": event.title, "when": _when(original_start)},
               url=event.get_absolute_url() + f"?on={_key(original_start)}",
               event=f"occurrence_changed:{event.public_id}:{_key(original_start)}:{stamp}")
    return change


def _key(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def answer(*, event: Event, occurrence: datetime, member: Member, answer: str,
           now: datetime | None = None) -> Rsvp:
    """Store the member's answer to one occurrence.

    GOING to a full occurrence puts the member on its waiting list (WAITING), behind
    those already there; a member going who answers otherwise lets the first in line
    in, who is told (EVENT_PLACE). Exactly `capacity` members are going whatever the
    concurrency: the event's row is locked (select_for_update; SQLite's write lock,
    taken when the transaction begins, serialises the same way) before counting.
    Refused (nothing stored) for a cancelled or past occurrence, or an unknown answer.
    """
    if answer not in (Answer.GOING, Answer.MAYBE, Answer.NOT_GOING):
        raise EventError(_("Answer going, maybe or not going."))
    now = now or timezone.now()
    occurrence = occurrence.astimezone(UTC)
    with transaction.atomic():
        locked = (Event.objects.select_for_update(of=("self",)).select_related("chapter")
                  .filter(pk=event.pk).first())
        if locked is None:
            raise EventError(_("There is no such event."))
        found = selectors.occurrence_of(locked, occurrence)
        if found is None:
            raise EventError(_("The event has no occurrence at that time."))
        if found.cancelled:
            raise EventError(_("This event is cancelled."))
        if found.ends_at <= now:
            raise EventError(_("This event is over."))
        rsvp = Rsvp.objects.filter(event=locked, occurrence=occurrence, member=member).first()
        before = rsvp.answer if rsvp is not None else None
        stored = answer
        if answer == Answer.GOING and before not in (Answer.GOING, Answer.WAITING) \
                and locked.capacity is not None:
            going = Rsvp.objects.filter(event=locked, occurrence=occurrence,
                                        answer=Answer.GOING).count()
            if going >= locked.capacity:
                stored = Answer.WAITING
        elif answer == Answer.GOING and before == Answer.WAITING:
            stored = Answer.WAITING  # still in line: asking again does not jump it
        if rsvp is None:
            rsvp = Rsvp.objects.create(event=locked, occurrence=occurrence, member=member,
                                       answer=stored, queued_at=now, answered_at=now)
        elif before != stored:
            rsvp.answer = stored
            rsvp.answered_at = now
            if stored == Answer.WAITING:
                rsvp.queued_at = now
            rsvp.save(update_fields=["answer", "answered_at", "queued_at"])
        if before == Answer.GOING and stored != Answer.GOING:
            _promote(locked, occurrence)
    return rsvp


def _promote(event: Event, occurrence: datetime) -> list[Rsvp]:
    """Let the first in line in while the occurrence has room (the event's row is
    locked by the caller), and tell each of them."""
    promoted: list[Rsvp] = []
    if event.capacity is None:
        room = None
    else:
        room = event.capacity - Rsvp.objects.filter(
            event=event, occurrence=occurrence, answer=Answer.GOING).count()
        if room <= 0:
            return promoted
    line = (Rsvp.objects.filter(event=event, occurrence=occurrence, answer=Answer.WAITING)
            .select_related("member").order_by("queued_at", "pk"))
    for rsvp in (line if room is None else line[:room]):
        rsvp.answer = Answer.GOING
        rsvp.answered_at = timezone.now()
        rsvp.save(update_fields=["answer", "answered_at"])
        promoted.append(rsvp)
        notify(recipients=[rsvp.member], kind=Kind.EVENT_PLACE, message="events.place",
               params={"title": event.title, "when": _when(occurrence)},
               url=event.get_absolute_url() + f"?on={_key(occurrence)}",
               event=f"event_place:{event.public_id}:{_key(occurrence)}:{rsvp.pk}:"
                     f"{rsvp.answered_at.isoformat()}")
    return promoted


# -- Reminders ----------------------------------------------------------------------------

def schedule_reminder(event: Event, now: datetime | None = None) -> datetime | None:
    """Enqueue the reminder of the event's next occurrence for `remind_before` ahead of
    its start (in the caller's transaction), where the task backend can defer; returns
    the occurrence's original start, or None when none is ahead."""
    now = now or timezone.now()
    if event.is_cancelled:
        return None
    ahead = recurrence.occurrences(event, event.changes.all(), now + event.remind_before,
                                   now + timedelta(days=10 * 366), limit=5)
    ahead = [o for o in ahead if o.starts_at > now and not o.cancelled]
    if not ahead:
        return None
    next_one = ahead[0]
    task = task_named(SEND_REMINDERS)
    if task.get_backend().supports_defer:
        task.using(run_after=next_one.starts_at - event.remind_before).enqueue(
            event.pk, next_one.original_start.isoformat())
    return next_one.original_start


def send_reminders(*, event: Event, occurrence: datetime,
                   now: datetime | None = None) -> int:
    """Remind the members going to one occurrence; returns how many were told.

    Idempotent: the occurrence's reminders are marked sent (ReminderSent, unique) in
    the same transaction, so a second run tells no one and schedules nothing. Does
    nothing for a cancelled or past occurrence, or one moved so that its reminder is
    not due yet (the edit scheduled another). Schedules the next occurrence's reminder.
    """
    now = now or timezone.now()
    occurrence = occurrence.astimezone(UTC)
    with transaction.atomic():
        locked = Event.objects.select_for_update().filter(pk=event.pk).first()
        if locked is None:
            return 0
        found = selectors.occurrence_of(locked, occurrence)
        if found is None or found.cancelled or found.starts_at <= now:
            return 0
        if found.starts_at - locked.remind_before > now + timedelta(minutes=1):
            return 0  # not due: moved later since it was scheduled
        _sent, created = ReminderSent.objects.get_or_create(event=locked, occurrence=occurrence)
        if not created:
            return 0
        told = notify(
            recipients=list(selectors.going_to(locked, occurrence)), kind=Kind.EVENT_REMINDER,
            message="events.reminder",
            params={"title": found.title, "when": _when(found.starts_at)},
            url=locked.get_absolute_url() + f"?on={_key(occurrence)}",
            event=f"event_reminder:{locked.public_id}:{_key(occurrence)}",
        )
        schedule_reminder(locked, now=found.starts_at)
    return len(told)


# -- Settings and the member's feed -----------------------------------------------------

def set_settings(*, chapter: Chapter, actor: Member, members_may_create: bool,
                 shows_subchapter_events: bool) -> EventSettings:
    with transaction.atomic():
        settings, _created = EventSettings.objects.update_or_create(
            chapter=chapter, defaults={"members_may_create": members_may_create,
                                       "shows_subchapter_events": shows_subchapter_events})
        audit.record(actor=actor, action="events.settings", target=settings, chapter=chapter,
                     data={"members_may_create": members_may_create,
                           "shows_subchapter_events": shows_subchapter_events})
    return settings


def calendar_token_of(*, member: Member) -> CalendarToken:
    """The member's feed key, made the first time it is asked for."""
    with transaction.atomic():
        token, _created = CalendarToken.objects.get_or_create(member=member)
    return token


def reset_calendar_token(*, member: Member) -> CalendarToken:
    """A new key for the member's feed: the old address stops working at once."""
    with transaction.atomic():
        token, _created = CalendarToken.objects.get_or_create(member=member)
        token.token = new_calendar_token()
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    return token


# Meetings (an agenda, minutes, votes taken there): their own module, re-exported.
from .meetings import (  # noqa: E402
    MeetingError,
    add_agenda_item,
    move_agenda_item,
    record_vote,
    remove_agenda_item,
    write_minutes,
)

__all__ = [
    "EventError", "EventFields", "MeetingError", "add_agenda_item", "answer",
    "calendar_token_of", "cancel_event", "change_occurrence", "create_event",
    "move_agenda_item", "record_vote", "remove_agenda_item", "reset_calendar_token",
    "schedule_reminder", "send_reminders", "set_settings", "update_event", "write_minutes",
]
