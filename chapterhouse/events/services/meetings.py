"""Meetings: an event's agenda (ordered items, each perhaps naming a proposal), its
minutes once it has started, and the votes taken there, entered as decision records
by the decisions app (decisions.services.record_meeting_vote: only facilitators, only
where the chapter's rule for the category allows it).

Any event can carry an agenda and minutes; a meeting is an event that does. Who may
edit is the interface's check (rules.py: the event's author and the chapter's
facilitators); these refuse what only they know, storing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.decisions import services as decisions
from chapterhouse.decisions.models import Proposal
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.text import without_bidi_controls

from ..models import (
    AGENDA_MAX_ITEMS,
    MINUTES_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AgendaItem,
    Event,
    MeetingDecision,
    Minutes,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


class MeetingError(Refused):
    """An agenda item, minutes or a meeting's vote that cannot be stored."""


def _proposal_named(event: Event, reference: str) -> Proposal | None:
    """The published proposal of the event's chapter that `reference` (its address or
    its id) names; None for an empty reference."""
    reference = (reference or "").strip()
    if not reference:
        return None
    found = _UUID.search(reference)
    proposal = (Proposal.objects.published().filter(public_id=found.group(0).lower(),
                                                    chapter=event.chapter).first()
                if found else None)
    if proposal is None:
        raise MeetingError(_("Link a published proposal of %(chapter)s, by its address or "
                             "its id.") % {"chapter": event.chapter.display_name()})
    return proposal


def add_agenda_item(*, event: Event, actor: Member, title: str, notes: str = "",
                    proposal: str = "") -> AgendaItem:
    """Add an item at the end of the agenda. `proposal`: a proposal's address or id."""
    title = " ".join(without_bidi_controls(title or "").split())
    if not title:
        raise MeetingError(_("Give the agenda item a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise MeetingError(_("A title can be at most %(max)s characters long.")
                           % {"max": TITLE_MAX_LENGTH})
    notes = without_bidi_controls(notes or "").replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise MeetingError(_("Notes can be at most %(max)s characters long.")
                           % {"max": NOTES_MAX_LENGTH})
    linked = _proposal_named(event, proposal)
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # one writer at a time
        items = AgendaItem.objects.filter(event=event)
        if items.count() >= AGENDA_MAX_ITEMS:
            raise MeetingError(_("An agenda has at most %(max)s items.")
                               % {"max": AGENDA_MAX_ITEMS})
        last = items.aggregate(last=Max("position"))["last"] or 0
        return AgendaItem.objects.create(event=event, position=last + 1, title=title,
                                         notes=notes, proposal=linked)


def remove_agenda_item(*, item: AgendaItem, actor: Member) -> AgendaItem:
    with transaction.atomic():
        item.delete()
    return item


def move_agenda_item(*, item: AgendaItem, actor: Member, up: bool) -> AgendaItem:
    """Swap the item with the one before it (`up`) or after it; at either end, nothing."""
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=item.event_id).first()
        item = AgendaItem.objects.get(pk=item.pk)
        siblings = AgendaItem.objects.filter(event_id=item.event_id)
        other = (siblings.filter(position__lt=item.position).order_by("-position")
                 if up else siblings.filter(position__gt=item.position).order_by("position")
                 ).first()
        if other is None:
            return item
        mine, theirs = item.position, other.position
        # The positions are unique: park one at 0 (no item holds it) while swapping.
        AgendaItem.objects.filter(pk=item.pk).update(position=0)
        AgendaItem.objects.filter(pk=other.pk).update(position=mine)
        AgendaItem.objects.filter(pk=item.pk).update(position=theirs)
        item.position = theirs
    return item


def _started(event: Event, now: datetime) -> None:
    if event.starts_at > now:
        raise MeetingError(_("Minutes are written once the event has started."))


def write_minutes(*, event: Event, author: Member, text: str,
                  now: datetime | None = None) -> Minutes:
    """Write (or rewrite) the event's minutes, once it has started."""
    now = now or timezone.now()
    _started(event, now)
    text = without_bidi_controls(text or "").replace("\r\n", "\n").strip()
    if not text:
        raise MeetingError(_("Write the minutes."))
    if len(text) > MINUTES_MAX_LENGTH:
        raise MeetingError(_("Minutes can be at most %(max)s characters long.")
                           % {"max": MINUTES_MAX_LENGTH})
    with transaction.atomic():
        minutes, _created = Minutes.objects.update_or_create(
            event=event, defaults={"text": text, "written_by": author, "updated_at": now})
    return minutes


def record_vote(*, event: Event, recorder: Member, category: str, title: str, text: str,
                counts: Mapping[str, Any], attendance: int, counted_by: str,
                held_at: datetime | None = None, now: datetime | None = None
                ) -> MeetingDecision:
    """Enter a vote taken at the event as a decision record of the event's chapter (the
    decisions app refuses it unless the recorder facilitates the chapter and the rule
    for `category` allows meeting votes); the minutes link to it. `held_at`: the
    occurrence's start (the event's start by default)."""
    now = now or timezone.now()
    _started(event, now)
    where = event.address or event.online_url or event.chapter.display_name()
    with transaction.atomic():
        try:
            decision = decisions.record_meeting_vote(
                chapter=event.chapter, recorder=recorder, category=category, title=title,
                text=text, counts=counts, attendance=attendance, counted_by=counted_by,
                held_at=min(held_at or event.starts_at, now), where=where,
                meeting_url=event.get_absolute_url() + "#minutes", now=now,
            )
        except decisions.DecisionError as refusal:
            raise MeetingError(refusal.message) from refusal
        return MeetingDecision.objects.create(event=event, decision=decision, created_at=now)
