"""Reading events: a chapter's calendar, one event and its answers, a member's own,
the feeds and the map."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import section_shown_to
from chapterhouse.decisions import selectors as decision_selectors
from chapterhouse.decisions.models import MEETING_METHODS, Decision, DecisionRule

from . import recurrence
from .models import (
    AgendaItem,
    Answer,
    CalendarToken,
    Event,
    EventSettings,
    Minutes,
    OccurrenceChange,
    Rsvp,
)
from .recurrence import Occurrence

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

# How far ahead the calendar and the map look, and how far back "past events" go.
UPCOMING_DAYS = 366
PAST_DAYS = 366
# The most occurrences a list shows.
LIST_LIMIT = 200


def chapter_zone(chapter: Chapter) -> str:
    """The IANA zone of the chapter's place, or of the nearest chapter above it whose
    place the gazetteer gives one; "UTC" if none. One query."""
    found = (
        Chapter.objects.containing(chapter)
        .filter(place__isnull=False).exclude(place__timezone="")
        .order_by("-depth").values_list("place__timezone", flat=True).first()
    )
    return found or "UTC"


def settings_of(chapter: Chapter) -> EventSettings:
    """The chapter's event settings (the defaults, unsaved, if it never chose)."""
    return EventSettings.objects.filter(chapter=chapter).first() or EventSettings(chapter=chapter)


def _visible(member: Member | None) -> Q:
    """Public events, and the members-only events of chapters the member belongs to."""
    if member is None:
        return Q(is_public=True)
    return Q(is_public=True) | Q(
        chapter__in=Chapter.objects.containing(member.home_chapter).values("pk"))


def calendar_events(chapter: Chapter, member: Member | None, *,
                    subchapters: bool) -> QuerySet[Event]:
    """The events a chapter's calendar shows to `member`: its own, and those of the
    chapters below it when it chose so (but for those whose events section is turned
    off or kept from `member`). Their changes come with them (two queries)."""
    events = (Event.objects.filter(chapter__in=Chapter.objects.within(chapter).values("pk"))
              .filter(section_shown_to("events", member)) if subchapters
              else Event.objects.filter(chapter=chapter))
    return (events.filter(_visible(member)).select_related("chapter")
            .prefetch_related(Prefetch("changes", queryset=OccurrenceChange.objects.all())))


def _may_repeat_into(events: QuerySet[Event], after: datetime,
                     before: datetime) -> QuerySet[Event]:
    return events.filter(starts_at__lt=before).filter(
        Q(ends_at__gt=after) | ~Q(recurrence=""))


def occurrences_between(events: QuerySet[Event], after: datetime, before: datetime,
                        *, limit: int = LIST_LIMIT, include_cancelled: bool = True
                        ) -> list[Occurrence]:
    """The occurrences of `events` between `after` and `before`, soonest first, at most
    `limit` (each event expanded at most recurrence.MAX_OCCURRENCES)."""
    found: list[Occurrence] = []
    for event in _may_repeat_into(events, after, before):
        found.extend(
            occurrence for occurrence in recurrence.occurrences(
                event, event.changes.all(), after, before, limit=limit)
            if include_cancelled or not occurrence.cancelled
        )
    found.sort(key=lambda o: (o.starts_at, o.event.pk))
    return found[:limit]


def upcoming(events: QuerySet[Event], now: datetime | None = None,
             limit: int = LIST_LIMIT) -> list[Occurrence]:
    now = now or timezone.now()
    return occurrences_between(events, now, now + timedelta(days=UPCOMING_DAYS), limit=limit)


def past(events: QuerySet[Event], now: datetime | None = None,
         limit: int = LIST_LIMIT) -> list[Occurrence]:
    """Occurrences that ended in the last PAST_DAYS, the latest first."""
    now = now or timezone.now()
    found = occurrences_between(events, now - timedelta(days=PAST_DAYS), now, limit=100_000)
    ended = [o for o in found if o.ends_at <= now]
    return sorted(ended, key=lambda o: (o.starts_at, o.event.pk), reverse=True)[:limit]


def get_event(public_id: uuid.UUID) -> Event | None:
    return (Event.objects.select_related("chapter", "author")
            .prefetch_related("changes").filter(public_id=public_id).first())


def occurrence_of(event: Event, original: datetime | None,
                  now: datetime | None = None) -> Occurrence | None:
    """The occurrence of `event` that starts (originally) at `original`; without it,
    the next one not yet ended (else the last). None if there is no such occurrence."""
    changes = list(event.changes.all())
    if original is not None:
        if not recurrence.is_occurrence(event, original):
            return None
        by_original = {c.original_start.astimezone(UTC): c for c in changes}
        return recurrence.make_occurrence(event, original, by_original)
    now = now or timezone.now()
    if not event.recurrence:
        return recurrence.make_occurrence(event, event.starts_at, {})
    ahead = recurrence.occurrences(event, changes, now, now + timedelta(days=10 * 366), limit=1)
    if ahead:
        return ahead[0]
    starts = recurrence.originals(event, event.starts_at, now)
    if not starts:
        return recurrence.make_occurrence(event, event.starts_at, {})
    return recurrence.make_occurrence(
        event, starts[-1], {c.original_start.astimezone(UTC): c for c in changes})


def next_occurrences(event: Event, now: datetime, limit: int = 8) -> list[Occurrence]:
    """The next few occurrences of a repeating event (its changes loaded)."""
    return recurrence.occurrences(event, event.changes.all(), now,
                                  now + timedelta(days=UPCOMING_DAYS), limit=limit)


@dataclass
class Answers:
    """The answers to one occurrence: counts, the viewer's own, and who is going."""

    going: int
    maybe: int
    not_going: int
    waiting: int
    mine: Rsvp | None
    place_in_line: int | None
    going_members: list[Member]


def answers_to(event: Event, occurrence: datetime, member: Member | None,
               shown: int = 50) -> Answers:
    """Counts by answer, the member's answer and place on the waiting list, and the
    first `shown` members going. Three queries."""
    counts = dict(Rsvp.objects.filter(event=event, occurrence=occurrence)
                  .values_list("answer").annotate(n=Count("pk")).values_list("answer", "n"))
    mine = (Rsvp.objects.filter(event=event, occurrence=occurrence, member=member).first()
            if member is not None else None)
    place = None
    if mine is not None and mine.answer == Answer.WAITING:
        place = Rsvp.objects.filter(
            event=event, occurrence=occurrence, answer=Answer.WAITING
        ).filter(Q(queued_at__lt=mine.queued_at) | Q(queued_at=mine.queued_at, pk__lt=mine.pk)
                 ).count() + 1
    going_members = [r.member for r in Rsvp.objects.filter(
        event=event, occurrence=occurrence, answer=Answer.GOING
    ).select_related("member").order_by("queued_at", "pk")[:shown]]
    return Answers(
        going=counts.get(Answer.GOING, 0), maybe=counts.get(Answer.MAYBE, 0),
        not_going=counts.get(Answer.NOT_GOING, 0), waiting=counts.get(Answer.WAITING, 0),
        mine=mine, place_in_line=place, going_members=going_members,
    )


def answered_by(event: Event, occurrence: datetime | None = None) -> QuerySet[Member]:
    """The members who answered the event (one occurrence of it, if given)."""
    from chapterhouse.members.models import Member

    rsvps = Rsvp.objects.filter(event=event)
    if occurrence is not None:
        rsvps = rsvps.filter(occurrence=occurrence)
    return Member.objects.filter(pk__in=rsvps.values("member_id")).select_related("user")


def going_to(event: Event, occurrence: datetime) -> QuerySet[Member]:
    from chapterhouse.members.models import Member

    return Member.objects.filter(pk__in=Rsvp.objects.filter(
        event=event, occurrence=occurrence, answer=Answer.GOING).values("member_id"))


def my_answers(member: Member, now: datetime | None = None) -> list[Rsvp]:
    """The member's answers to occurrences not yet over (going, maybe, waiting), the
    soonest first, each with its event and chapter. One query."""
    now = now or timezone.now()
    return list(
        Rsvp.objects.filter(member=member, occurrence__gte=now - timedelta(days=2))
        .exclude(answer=Answer.NOT_GOING)
        .select_related("event", "event__chapter").order_by("occurrence", "pk")[:LIST_LIMIT]
    )


def feed_answers(member: Member) -> list[Rsvp]:
    """What a member's private feed holds: the occurrences they answered going or maybe
    (the last PAST_DAYS and all ahead). One query, plus one for the events' changes."""
    since = timezone.now() - timedelta(days=PAST_DAYS)
    return list(
        Rsvp.objects.filter(member=member, occurrence__gte=since,
                            answer__in=[Answer.GOING, Answer.MAYBE])
        .select_related("event", "event__chapter")
        .prefetch_related("event__changes").order_by("occurrence", "pk")[:1000]
    )


def member_for_token(token: str) -> Member | None:
    found = CalendarToken.objects.select_related("member").filter(token=token).first()
    return found.member if found is not None else None


def map_events(now: datetime | None = None, limit: int = LIST_LIMIT) -> list[Occurrence]:
    """Upcoming occurrences of public events with a point on the map."""
    events = (Event.objects.live().filter(is_public=True, latitude__isnull=False)
              .select_related("chapter").prefetch_related("changes"))
    return [o for o in upcoming(events, now, limit=limit) if not o.cancelled]


def account_export(member: Member) -> dict[str, Any]:
    """What the member answered, the events they created and the minutes they last
    wrote (three queries). Minutes stay with the chapter when the account goes."""
    return {
        "event_answers": [
            {"event": str(rsvp.event.public_id), "title": rsvp.event.title,
             "occurrence": rsvp.occurrence.isoformat(), "answer": rsvp.answer,
             "answered_at": rsvp.answered_at.isoformat()}
            for rsvp in Rsvp.objects.filter(member=member).select_related("event")
            .order_by("occurrence", "pk")
        ],
        "events_created": [
            {"id": str(event.public_id), "chapter": event.chapter.url_path,
             "title": event.title, "description": event.description,
             "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
             "time_zone": event.time_zone, "recurrence": event.recurrence,
             "address": event.address, "online_url": event.online_url,
             "created_at": event.created_at.isoformat()}
            for event in Event.objects.filter(author=member).select_related("chapter")
            .order_by("created_at", "pk")
        ],
        "minutes_written": [
            {"event": str(minutes.event.public_id), "title": minutes.event.title,
             "text": minutes.text, "updated_at": minutes.updated_at.isoformat()}
            for minutes in Minutes.objects.filter(written_by=member).select_related("event")
            .order_by("updated_at", "pk")
        ],
    }


# -- Meetings -------------------------------------------------------------------------


def agenda_of(event: Event) -> list[AgendaItem]:
    """The agenda in order, with the proposals it names (one query)."""
    return list(AgendaItem.objects.filter(event=event).select_related("proposal")
                .order_by("position", "id"))


def agenda_item(event: Event, position: int) -> AgendaItem | None:
    return AgendaItem.objects.filter(event=event, position=position).first()


def minutes_of(event: Event) -> Minutes | None:
    return Minutes.objects.filter(event=event).select_related("written_by").first()


def meeting_decisions(event: Event) -> list[Decision]:
    """The decisions recorded from votes taken at the event, in the order entered."""
    return list(Decision.objects.filter(meeting__event=event).select_related("proposal")
                .order_by("meeting__created_at", "meeting__id"))


def meeting_vote_rules(chapter: Chapter) -> dict[str, DecisionRule]:
    """The categories whose rule in force lets a vote taken at a meeting be recorded,
    with a method a show of hands can count (decisions.services.MEETING_METHODS)."""
    return {category: rule for category, rule in decision_selectors.effective_rules(
        chapter).items() if rule.meeting_votes and rule.method in MEETING_METHODS}
