"""Rolls and ballots: the roll's digest and weights, one's own ballot, receipts, the
ballot file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from chapterhouse import voting

from ..models import (
    Ballot,
    Decision,
    Participation,
    Proposal,
    RollEntry,
    SecretBallot,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


# -- Rolls and ballots ------------------------------------------------------------------


def roll_lines(proposal: Proposal) -> Iterator[str]:
    """The lines the roll hash is computed over, streamed in order (see Roll)."""
    rows = (
        RollEntry.objects.filter(roll__proposal=proposal)
        .order_by("member__public_id")
        .values_list("member__public_id", "weight", "reason")
    )
    for public_id, weight, reason in rows.iterator(chunk_size=10_000):
        yield f"{public_id}\t{float(weight)!r}\t{reason}\n"


def roll_digest(proposal: Proposal) -> tuple[str, int, Decimal]:
    """(sha256 hex, size, exact total weight) of the roll, computed streaming."""
    digest = hashlib.sha256()
    size, total = 0, Decimal(0)
    for line in roll_lines(proposal):
        digest.update(line.encode())
        size += 1
        total += Decimal(line.split("\t", 2)[1])  # the weight's 6-place decimal, exactly
    return digest.hexdigest(), size, total


def roll_weights(proposal: Proposal) -> list[dict[str, Any]]:
    """The roll's weights with their reasons and how many members hold each."""
    rows = (
        RollEntry.objects.filter(roll__proposal=proposal)
        .values("weight", "reason")
        .annotate(members=Count("id"))
        .order_by("-weight", "reason")
    )
    return [{"weight": voting.to_text(r["weight"]), "reason": r["reason"],
             "members": r["members"]} for r in rows]


def has_voted(proposal: Proposal, member: Member) -> bool:
    model = Participation if proposal.is_secret else Ballot
    return model.objects.filter(proposal=proposal, member=member).exists()


def own_ballot(proposal: Proposal, member: Member) -> dict[str, Any] | None:
    """The member's open ballot (never a secret one: that needs the receipt)."""
    if proposal.is_secret:
        return None
    return Ballot.objects.filter(proposal=proposal, member=member).values_list(
        "ballot", flat=True
    ).first()


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().encode()).hexdigest()


def find_secret_ballot(proposal: Proposal, receipt: str) -> dict[str, Any] | None:
    """The secret ballot a receipt code identifies: {"receipt": hash, "weight", "ballot"}."""
    row = (
        SecretBallot.objects.filter(proposal=proposal, receipt_hash=receipt_hash(receipt))
        .values_list("receipt_hash", "weight", "ballot")
        .first()
    )
    if row is None:
        return None
    return {"receipt": row[0], "weight": row[1], "ballot": row[2]}


BallotRow = tuple[str | None, Decimal, dict[str, Any], int | None]


def ballot_rows(proposal: Proposal) -> Iterator[BallotRow]:
    """(receipt hash or None, weight, ballot, group id) in the canonical order: open
    ballots by id, secret ballots by receipt hash. Streams tuples, no model instances.

    The tally, the ballot file and the recount all read in this order (weights are
    exact decimals, so any order gives the same sums).
    """
    if proposal.is_secret:
        secret = (
            SecretBallot.objects.filter(proposal=proposal)
            .order_by("receipt_hash")
            .values_list("receipt_hash", "weight", "ballot", "group_id")
        )
        yield from secret.iterator(chunk_size=10_000)
        return
    rows = (
        Ballot.objects.filter(proposal=proposal)
        .order_by("id")
        .values_list("weight", "ballot", "group_id")
    )
    for weight, ballot, group_id in rows.iterator(chunk_size=10_000):
        yield None, weight, ballot, group_id


def published_as_floats(result: dict[str, Any]) -> bool:
    """Whether a decision's result was published before weights were exact (its weights
    are floats): its ballot file is then "chapterhouse-ballots/1"."""
    return not isinstance(result.get("turnout_weight"), str)


def ballot_file(proposal: Proposal) -> dict[str, Any]:
    """The published ballot file of a closed vote (format "chapterhouse-ballots/2", or
    "/1" for a result published before weights were exact).

    `python -m chapterhouse.voting recount FILE` recomputes "result" from it with no
    database. Secret ballots carry their receipt hash, open ones null; no member is
    named, and the voting package sorts the ballots so their order says nothing
    about when they were cast. "labels" name the options; "meta" identifies the
    decision. Raises Decision.DoesNotExist before the vote is closed.
    """
    decision = Decision.objects.select_related("proposal").get(proposal=proposal)
    snapshot = proposal.rule_snapshot or {}
    return voting.make_ballot_file(
        legacy=published_as_floats(decision.result),
        method=snapshot["method"],
        options=list(snapshot.get("options", [])),
        params=dict(snapshot.get("params", {})),
        eligible_weight=decision.roll["total_weight"],
        ballots=((receipt, weight, ballot) for receipt, weight, ballot, _g
                 in ballot_rows(proposal)),
        result=decision.result,
        labels={o["key"]: o["label"] for o in decision.options},
        meta={
            "proposal": str(proposal.public_id),
            "title": decision.title,
            "scope": decision.scope_path,
            "sequence": decision.sequence,
            "record_hash": decision.record_hash,
            "decided_at": decision.decided_at.isoformat(),
            "secret": bool(snapshot.get("secret")),
        },
    )
