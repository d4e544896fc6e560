"""Decision records: the log, dissent, eligible weights by group, and checking the
record (recount, the hash chain)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter

from ..models import (
    MULTI_OPTION_METHODS,
    Ballot,
    Decision,
    Dissent,
    Participation,
    Proposal,
    Roll,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


from .ballots import (
    ballot_rows,
    published_as_floats,
    roll_tallies,
)

# -- Decisions --------------------------------------------------------------------------


def decisions(
    *, chapter: Chapter | None = None, include_subchapters: bool = False,
    category: str | None = None, outcome: str | None = None,
    since: datetime | None = None, until: datetime | None = None,
) -> QuerySet[Decision]:
    """The decision log, newest first, filtered (the /decisions/ list and its exports)."""
    qs = Decision.objects.select_related("chapter", "proposal")
    if chapter is not None:
        if include_subchapters:
            qs = qs.filter(chapter__in=Chapter.objects.within(chapter))
        else:
            qs = qs.filter(chapter=chapter)
    if category:
        qs = qs.filter(category=category)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since is not None:
        qs = qs.filter(decided_at__gte=since)
    if until is not None:
        qs = qs.filter(decided_at__lt=until)
    return qs.order_by("-decided_at", "-sequence")


def dissents(decision: Decision) -> QuerySet[Dissent]:
    return decision.dissents.select_related("member").order_by("created_at", "id")


def may_dissent(decision: Decision, member: Member) -> bool:
    """Whether `member` voted on the losing side (open ballot) or voted at all
    (secret ballot: what they voted is not known, so any participant may)."""
    proposal = decision.proposal
    if proposal.is_secret:
        return Participation.objects.filter(proposal=proposal, member=member).exists()
    ballot = Ballot.objects.filter(proposal=proposal, member=member).values_list(
        "ballot", flat=True
    ).first()
    if ballot is None:
        return False
    return voted_against(
        method=decision.rule["method"], ballot=ballot, outcome=decision.result["outcome"],
        winners=list(decision.result.get("winners", [])),
    )


def voted_against(*, method: str, ballot: dict[str, Any], outcome: str,
                  winners: list[str]) -> bool:
    """Whether an open ballot went against the outcome.

    Yes/no methods: passed → no, concern, disagree or block; rejected → yes, consent
    or agree. Option methods: the ballot did not put a winner first (plurality:
    another option; approval: no winner approved; score: a winner scored below the
    ballot's best; ranked: a winner not ranked first). No decision or no quorum:
    every voter may dissent.
    """
    if outcome in ("no_decision", "no_quorum"):
        return True
    if method not in MULTI_OPTION_METHODS:
        choice = ballot.get("choice")
        if outcome == "passed":
            return choice in ("no", "concern", "disagree", "block")
        return choice in ("yes", "consent", "agree")
    if not winners:
        return True
    if method == "plurality":
        return ballot.get("option") not in winners
    if method == "approval":
        return not set(ballot.get("approve", [])) & set(winners)
    if method == "score":
        scores = ballot.get("scores", {})
        best = max(scores.values(), default=0)
        return any(scores.get(w, 0) < best for w in winners) or not scores
    ranking = ballot.get("ranking", [])
    return not ranking or ranking[0] not in winners


def eligible_weight_by_group(proposal: Proposal) -> dict[int | None, tuple[Decimal, int]]:
    """{group id: (exact eligible weight, members)} over the frozen roll."""
    return roll_tallies(proposal).by_group


# -- Checking the record ----------------------------------------------------------------


@dataclass(frozen=True)
class Recount:
    result: dict[str, Any]  # the recomputed voting.Result, as a dict
    published: dict[str, Any]  # the result stored on the Decision
    differences: list[str]  # where they differ ("outcome", "explanation.rounds"…)

    @property
    def matches(self) -> bool:
        return not self.differences


def recount(proposal: Proposal) -> Recount:
    """Count the stored ballots again with the same voting code, and compare the
    result with the published decision. Raises Decision.DoesNotExist if not closed."""
    from chapterhouse.voting.ballot_file import differences

    decision = Decision.objects.get(proposal=proposal)
    snapshot = proposal.rule_snapshot or {}
    total = (voting.exact(decision.roll["total_weight"]) if snapshot.get("meeting") else
             Roll.objects.filter(proposal=proposal).values_list("total_weight", flat=True).get())
    result = voting.count(
        method=snapshot["method"], options=snapshot.get("options", []),
        ballots=((weight, ballot) for _r, weight, ballot, _g in ballot_rows(proposal)),
        params=snapshot.get("params", {}), eligible_weight=total,
        legacy=published_as_floats(decision.result),
    )
    legacy = published_as_floats(decision.result)
    return Recount(result.to_dict(legacy=legacy), decision.result,
                   differences(result, decision.result, legacy=legacy))
