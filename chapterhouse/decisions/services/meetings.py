"""Votes taken face to face at a meeting, entered afterwards as decision records.

A chapter whose rule for a category says `meeting_votes` lets its facilitators enter
the counts of a vote taken at a meeting (the events app's minutes call this). The
record joins the same hash chain as online votes, marked "taken at a meeting": its
`rule` holds the rule in force plus {"meeting": {held_at, where, attendance,
counted_by, counts, recorded_by, url}}, its roll is the attendance (no list of
members: who attended is not known to the site), and its result is counted by the
voting package from one ballot of weight 1 per counted hand, so the record page, the
ballot file and the recount work as for any record (selectors.meeting_ballots).

Supported: the yes/no methods (counts of that method's choices) and plurality
(options with their counts). Passed "rules" and "roles" payloads are never applied
from a meeting vote: the record says what was decided, and the change itself goes
through a proposal (a meeting's proposal carries no payload).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import choice
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify
from chapterhouse.voting.params import CHOICES

from .. import selectors
from ..models import (
    MEETING_METHODS,
    YES_NO_METHODS,
    Decision,
    Method,
    Option,
    Proposal,
    ProposalEvent,
)
from .closing import _chain, _normal, _outcome
from .common import (
    _COMMON_PARAMS,
    _PARAMS_OF,
    MAX_OPTIONS,
    DecisionError,
    Status,
    _clean_text,
    _clean_title,
    _event,
    _facilitators,
    _is_facilitator,
    _rule_for,
)

#: The most people a meeting's count may name (one ballot is built per hand counted).
MAX_ATTENDANCE = 100_000


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DecisionError(_("Counts are whole numbers, zero or more."))
    return int(value)


def _clean_counts(method: str, counts: Mapping[str, Any]) -> tuple[dict[str, int], list[str]]:
    """The counts by choice (yes/no methods) or by option key (plurality, with the
    options' labels in order)."""
    if not isinstance(counts, Mapping) or not counts:
        raise DecisionError(_("Enter the counts."))
    if method in YES_NO_METHODS:
        choices = CHOICES[method]
        unknown = sorted(set(counts) - set(choices))
        if unknown:
            raise DecisionError(_("Unknown choice in the counts: %(choices)s.")
                                % {"choices": ", ".join(unknown)})
        return {c: _count(counts.get(c, 0)) for c in choices}, []
    labels = [" ".join(without_bidi_controls(str(label)).split()) for label in counts]
    if any(not label or len(label) > 200 for label in labels):
        raise DecisionError(_("Each option needs a label of at most 200 characters."))
    if len(set(labels)) != len(labels):
        raise DecisionError(_("Two options have the same label."))
    if len(labels) < 2:
        raise DecisionError(_("A vote between options needs at least two options."))
    if len(labels) > MAX_OPTIONS:
        raise DecisionError(_("A vote can have at most %(max)s options.")
                            % {"max": MAX_OPTIONS})
    values = [_count(v) for v in counts.values()]
    return {f"o{i}": n for i, n in enumerate(values, start=1)}, labels


def record_meeting_vote(
    *,
    chapter: Chapter,
    recorder: Member,
    category: str,
    title: str,
    text: str,
    counts: Mapping[str, Any],
    attendance: int,
    counted_by: str,
    held_at: datetime,
    where: str,
    meeting_url: str = "",
    now: datetime | None = None,
) -> Decision:
    """Record a vote taken at a meeting as a decision of `chapter` (see the module).

    Only a facilitator of `chapter`, and only where the chapter's rule in force for
    `category` allows meeting votes. `counts`: for a yes/no method, {choice: n} with
    that method's choices (a choice left out counted 0); for plurality,
    {option label: n} in the order of the ballot. The counts add up to at most
    `attendance` (the others did not vote). Refusals store nothing.
    """
    now = now if now is not None else timezone.now()
    if not _is_facilitator(recorder, chapter):
        raise DecisionError(_("Only a facilitator of %(chapter)s can record a meeting's vote.")
                            % {"chapter": chapter.display_name()})
    rule = _rule_for(chapter, category)
    if not rule.meeting_votes:
        raise DecisionError(
            _("The rules of %(chapter)s do not let votes taken at a meeting be recorded as "
              "decisions of the category “%(category)s”. A rules proposal can allow it.")
            % {"chapter": chapter.display_name(), "category": category})
    if rule.method not in MEETING_METHODS:
        raise DecisionError(
            _("Decisions of this category are taken by a method a meeting's show of hands "
              "cannot count (%(method)s); only yes/no votes and plurality can be recorded.")
            % {"method": Method(rule.method).label})
    title, text = _clean_title(title), _clean_text(text)
    counted_by = " ".join(without_bidi_controls(counted_by or "").split())
    if not counted_by:
        raise DecisionError(_("Say who counted the votes."))
    if len(counted_by) > 200:
        raise DecisionError(_("Who counted can be at most 200 characters long."))
    where = " ".join(without_bidi_controls(where or "").split())[:200]
    if held_at is None or timezone.is_naive(held_at):
        raise DecisionError(_("Say when the meeting was held."))
    if held_at > now:
        raise DecisionError(_("A vote cannot be recorded before the meeting was held."))
    if isinstance(attendance, bool) or not isinstance(attendance, int) \
            or not 1 <= attendance <= MAX_ATTENDANCE:
        raise DecisionError(_("Attendance is a whole number from 1 to %(max)s.")
                            % {"max": MAX_ATTENDANCE})
    by_key, labels = _clean_counts(rule.method, counts)
    if sum(by_key.values()) > attendance:
        raise DecisionError(_("The counts add up to %(total)s, more than the %(attendance)s "
                              "people who attended.")
                            % {"total": sum(by_key.values()), "attendance": attendance})
    method = str(rule.method)
    option_keys = list(by_key) if labels else []
    snapshot = rule.snapshot()
    snapshot.update({
        "rule_method": method, "method": method, "switched": False, "options": option_keys,
        # Counts from the room: nothing to keep secret, and no receipts to find.
        "secret": False,
        "params": {k: v for k, v in rule.params.items()
                   if k in _COMMON_PARAMS + _PARAMS_OF.get(method, ())},
        "meeting": {
            "held_at": held_at.isoformat(), "where": where, "attendance": attendance,
            "counted_by": counted_by, "counts": by_key,
            "recorded_by": str(recorder.public_id), "url": meeting_url[:500],
        },
    })
    if snapshot["params"].get("tie_break") == "lot" and not snapshot["params"].get("seed"):
        snapshot["params"]["seed"] = f"{chapter.url_path or 'international'}/{title}"
    ballots = [b for _r, _w, b, _g in selectors.meeting_ballot_rows(snapshot)]
    try:
        counted = voting.prepare(method=method, options=option_keys, weights=[1] * len(ballots),
                                 ballots=ballots, params=snapshot["params"])
        result = counted.count(eligible_weight=attendance)
    except (voting.InvalidBallot, voting.InvalidParams) as exc:
        raise DecisionError(_("The counts could not be counted: %(reason)s")
                            % {"reason": str(exc)}) from None
    outcome = _outcome(result, snapshot)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            chapter=chapter, author=recorder, title=title, text=text, category=category,
            status=Status.CLOSED, rule_snapshot=_normal(snapshot), created_at=now,
            updated_at=now, published_at=held_at, amendments_close_at=held_at,
            voting_opens_at=held_at, voting_closes_at=held_at + timedelta(seconds=1),
            closed_at=now,
        )
        Option.objects.bulk_create([
            Option(proposal=proposal, key=key, label=label, position=i)
            for i, (key, label) in enumerate(zip(option_keys, labels, strict=True), start=1)
        ])
        options = [{"key": key, "label": label, "text": "", "source": Option.Source.ORIGINAL}
                   for key, label in zip(option_keys, labels, strict=True)]
        decision = Decision(
            proposal=proposal, chapter=chapter, scope_path=chapter.url_path,
            category=category, title=title, text=text, options=_normal(options),
            outcome=outcome, winners=_normal(list(result.winners)),
            result=_normal(result.to_dict()), rule=_normal(snapshot),
            roll=_normal({"hash": "", "size": attendance, "total_weight": str(attendance),
                          "frozen_at": held_at.isoformat(), "weights": [],
                          "attendance": attendance}),
            turnout=_normal({
                "voters": len(counted),
                "turnout_weight": voting.to_text(result.turnout_weight),
                "eligible_weight": voting.to_text(result.eligible_weight),
                "share": (float(result.turnout_weight / result.eligible_weight)
                          if result.eligible_weight else 0.0),
            }),
            breakdown={}, effect={}, decided_at=held_at,
            ballots_hash=selectors.ballots_digest(proposal),
        )
        _chain(decision)
        _event(proposal, ProposalEvent.Kind.CLOSED, recorder, outcome=outcome,
               winners=list(result.winners), sequence=decision.sequence,
               record_hash=decision.record_hash, meeting=True)
        audit.record(actor=recorder, action="decisions.record_meeting_vote", target=decision,
                     chapter=chapter,
                     data={"proposal": str(proposal.public_id), "outcome": outcome,
                           "sequence": decision.sequence, "record_hash": decision.record_hash,
                           "meeting": snapshot["meeting"]})
        recipients = [m for m in _facilitators(chapter) if m.pk != recorder.pk] + [recorder]
        notify(recipients=recipients, kind=Kind.DECISION_RECORDED,
               message="decisions.decided", params={"title": title, "outcome": choice(outcome)},
               url=proposal.get_absolute_url(), event=f"decision_recorded:{decision.record_hash}")
    return decision
