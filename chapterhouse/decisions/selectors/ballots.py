"""Rolls and ballots: the roll's digest and weights, one's own ballot, receipts, the
ballot file."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils.crypto import salted_hmac

from chapterhouse import voting
from chapterhouse.voting.params import REASON_REQUIRED

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


@dataclass(frozen=True)
class RollTallies:
    weights: list[dict[str, Any]]  # as roll_weights gives them
    by_group: dict[int | None, tuple[Decimal, int]]  # as eligible_weight_by_group


def roll_tallies(proposal: Proposal) -> RollTallies:
    """The roll's weights with their reasons and how many members hold each, and each
    sub-chapter's exact eligible weight and members, from one grouping of its entries
    (a close needs both: one pass over a roll of a million instead of two). The weights
    are summed in Python, exactly, as Decimals (SQLite would sum them as floats)."""
    # Unordered, so that PostgreSQL groups by hashing: asked to sort, it planned for a
    # roll's average size and sorted a million rows on disk (2.3 s at tier M).
    rows = (
        RollEntry.objects.filter(roll__proposal=proposal)
        .values("weight", "reason", "group")
        .annotate(members=Count("id"))
        .order_by()
    )
    weights: dict[tuple[Decimal, str], int] = {}
    by_group: dict[int | None, tuple[Decimal, int]] = {}
    for row in rows:
        weight, members, group = row["weight"], row["members"], row["group"]
        key = (weight, row["reason"])
        weights[key] = weights.get(key, 0) + members
        total, count = by_group.get(group, (Decimal(0), 0))
        by_group[group] = (total + weight * members, count + members)
    by_weight = sorted(weights.items(), key=lambda item: (-item[0][0], item[0][1]))
    return RollTallies(
        # Heaviest first, then by reason (code point order: what PostgreSQL's C
        # collation and SQLite's give, the same on every database).
        weights=[{"weight": voting.to_text(weight), "reason": reason, "members": members}
                 for (weight, reason), members in by_weight],
        by_group=by_group,
    )


def roll_weights(proposal: Proposal) -> list[dict[str, Any]]:
    """The roll's weights with their reasons and how many members hold each."""
    return roll_tallies(proposal).weights


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


# Receipt codes: 16 characters read aloud in groups of four, from an alphabet without
# look-alikes (no I, L, O, 0, 1; upper case only), 80 random bits.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 16


def new_receipt() -> str:
    """A fresh receipt code, e.g. "K7QF-M2XD-9RTB-HW4C"."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normal_receipt(receipt: str) -> str:
    """The code as it is hashed: typed in lower case, without its dashes or with spaces,
    it is the same code. Codes of another form (older receipts) are only stripped."""
    raw = "".join(receipt.split()).replace("-", "").upper()
    if len(raw) == RECEIPT_LENGTH and all(c in RECEIPT_ALPHABET for c in raw):
        return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))
    return receipt.strip()


def receipt_hash(receipt: str) -> str:
    """sha256 of the code: the ballot's name in the published ballot file."""
    return hashlib.sha256(normal_receipt(receipt).encode()).hexdigest()


def owner_hash(proposal_id: int, member_public_id: object, receipt: str) -> str:
    """What binds a secret ballot to its voter without naming them: an HMAC of the
    receipt under a key only the server can make for this voter in this vote (an HMAC
    of the proposal and the member with the server's SECRET_KEY). Changing a ballot
    needs both the receipt and the voter's own session: another member holding a stolen
    receipt computes another key and finds nothing. The stored value names no member,
    and without the receipt (never stored) even the server key cannot tie it to one."""
    voter_key = salted_hmac("chapterhouse.decisions.secret-ballot-voter",
                            f"{proposal_id}:{member_public_id}").digest()
    return hmac.new(voter_key, normal_receipt(receipt).encode(), hashlib.sha256).hexdigest()


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
    snapshot = proposal.rule_snapshot or {}
    if snapshot.get("meeting"):
        yield from meeting_ballot_rows(snapshot)
        return
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


MEETING_REASON = "recorded at a meeting"


def meeting_ballot_rows(snapshot: Mapping[str, Any]) -> Iterator[BallotRow]:
    """The ballots of a vote taken at a meeting (services.record_meeting_vote), rebuilt
    from its counts: one ballot of weight 1 per hand counted, in the order of the
    counts, with the reason "recorded at a meeting" where the method needs one."""
    method = str(snapshot["method"])
    needs_reason = REASON_REQUIRED.get(method, frozenset())
    counts = snapshot["meeting"]["counts"]
    for key, n in counts.items():
        if method in voting.YES_NO_METHODS:
            ballot: dict[str, Any] = {"choice": key}
            if key in needs_reason:
                ballot["reason"] = MEETING_REASON
        else:
            ballot = {"option": key}
        for _i in range(int(n)):
            yield None, Decimal(1), dict(ballot), None


def published_as_floats(result: dict[str, Any]) -> bool:
    """Whether a decision's result was published before weights were exact (its weights
    are floats): its ballot file is then "chapterhouse-ballots/1"."""
    return not isinstance(result.get("turnout_weight"), str)


def published_step(decision: Decision) -> str | None:
    """The weight a secret vote's ballots are published in parts of (voting.secrecy),
    as the record states it; None when they are published whole."""
    parts = (decision.turnout or {}).get("published_in_parts")
    return str(parts["step"]) if parts else None


def ballot_parts(decision: Decision, found: Mapping[str, Any]) -> list[str]:
    """The names in the ballot file of a secret ballot found by its receipt
    (find_secret_ballot): its receipt hash, or the names of its parts."""
    step = published_step(decision)
    if step is None:
        return [found["receipt"]]
    return voting.parts_of(found["receipt"], found["weight"], voting.exact(step))


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
        step=published_step(decision),
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


def unsafe_secret_weights(rows: Iterable[tuple[float, int]], k: int) -> list[float]:
    """The weights that would single out fewer than `k` members in a secret vote.

    `rows` are (weight, members holding it). Each ballot of a secret vote carries its
    voter's weight into the ballot file and the tally; a weight held by fewer than `k`
    members (while others vote with another weight) tells who cast those ballots. When
    everyone has the same weight it says nothing. [] when the weights are safe.
    """
    members: dict[float, int] = {}
    for weight, count in rows:
        if count > 0:
            members[weight] = members.get(weight, 0) + count
    if len(members) <= 1:
        return []
    return sorted(w for w, count in members.items() if count < k)
