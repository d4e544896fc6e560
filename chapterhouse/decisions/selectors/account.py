"""What decisions holds about one member, for their data export (members.account_data)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ..models import (
    Amendment,
    Ballot,
    Dissent,
    Participation,
    Proposal,
    RollEntry,
    StakeDeclaration,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _about(proposal: Proposal, now: Any) -> dict[str, Any]:
    """The proposal an item belongs to, as the export names it."""
    return {"title": proposal.title, "url": proposal.get_absolute_url(),
            "status": proposal.status, "voting_open": proposal.voting_open(now)}


def account_export(member: Member) -> dict[str, Any]:
    """The member's proposals, amendments, declared stakes, places on frozen rolls,
    open ballots, secret votes taken part in, and dissent statements. Seven queries
    whatever they did.

    Secret ballots: only that the member took part (Participation). What they chose
    is stored apart with no link to them (SecretBallot); only their receipt code,
    which the site never stored, finds it, so no export can hold it.
    """
    now = timezone.now()
    proposals = Proposal.objects.filter(author=member).select_related("chapter").order_by(
        "created_at", "pk")
    amendments = Amendment.objects.filter(author=member).select_related("proposal").order_by(
        "created_at", "pk")
    stakes = StakeDeclaration.objects.filter(member=member).select_related("proposal").order_by(
        "created_at", "pk")
    rolls = RollEntry.objects.filter(member=member).select_related("roll__proposal").order_by(
        "roll__frozen_at", "pk")
    ballots = Ballot.objects.filter(member=member).select_related("proposal").order_by(
        "cast_at", "pk")
    secret = Participation.objects.filter(member=member).select_related("proposal").order_by(
        "proposal__voting_opens_at", "pk")
    dissents = Dissent.objects.filter(member=member).select_related(
        "decision__proposal").order_by("created_at", "pk")
    return {
        "proposals": [
            {**_about(proposal, now), "category": proposal.category,
             "chapter": proposal.chapter.url_path, "text": proposal.text,
             "created_at": _iso(proposal.created_at),
             "published_at": _iso(proposal.published_at), "closed_at": _iso(proposal.closed_at)}
            for proposal in proposals
        ],
        "amendments": [
            {"proposal": _about(amendment.proposal, now), "number": amendment.number,
             "kind": amendment.kind, "label": amendment.label, "text": amendment.text,
             "status": amendment.status, "created_at": _iso(amendment.created_at),
             "decided_at": _iso(amendment.decided_at)}
            for amendment in amendments
        ],
        "stakes": [
            {"proposal": _about(stake.proposal, now), "weight": str(stake.weight),
             "reason": stake.reason, "created_at": _iso(stake.created_at)}
            for stake in stakes
        ],
        "rolls": [
            {"proposal": _about(entry.roll.proposal, now), "weight": str(entry.weight),
             "reason": entry.reason, "frozen_at": _iso(entry.roll.frozen_at)}
            for entry in rolls
        ],
        "ballots": [
            {"proposal": _about(ballot.proposal, now), "choice": ballot.ballot,
             "weight": str(ballot.weight), "cast_at": _iso(ballot.cast_at),
             "updated_at": _iso(ballot.updated_at)}
            for ballot in ballots
        ],
        "secret_votes": [
            {"proposal": _about(participation.proposal, now), "voted": True}
            for participation in secret
        ],
        "dissents": [
            {"proposal": _about(dissent.decision.proposal, now), "text": dissent.text,
             "created_at": _iso(dissent.created_at)}
            for dissent in dissents
        ],
    }
