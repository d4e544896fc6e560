"""The rows a cast ballot stores, built in one place.

`cast_ballot` (decisions.services) stores one ballot at a time; the benchmark's generator
(bench/generate.py) stores up to a million at once through lib.bulk. Both take the
rows' values from here, so what the generator writes cannot drift from what a member's
vote stores (decisions/tests/test_ballot_rows.py compares them with cast_ballot's):

- an open ballot: one Ballot row (its JSON and its codes: `codes()`) with the weight and
  group of the member's roll entry, cast and last changed at the moment it was cast;
- a secret ballot: a Participation row (who voted) and a SecretBallot row (what, under
  the hash of the receipt code, with the roll entry's weight and group; no member);
- either way, one audit entry "ballots.cast" by the member on the proposal, saying
  whether the ballot was changed and whether it is secret, never what it says.

A ballot here is already valid and normalised (voting.validate_ballot's result); a bulk
loader may give it as its JSON text (lib.bulk.JsonText).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from chapterhouse import voting

from . import selectors
from .models import Proposal

AUDIT_ACTION = "ballots.cast"


def codes(snapshot: Mapping[str, Any], ballot: Mapping[str, Any]) -> bytes | None:
    """The codes stored beside a valid, normalised ballot of the vote whose rule
    snapshot is `snapshot` (voting.codes); None for methods without codes."""
    return voting.ballot_codes(str(snapshot["method"]), list(snapshot.get("options", [])),
                               ballot)


def open_ballot(*, proposal_id: int, member_id: int | None, ballot: Any, weight: Decimal | float,
                group_id: int | None, at: datetime, codes: bytes | None = None
                ) -> dict[str, Any]:
    """A Ballot row: `weight` and `group_id` are those of the member's roll entry;
    `codes` those of the ballot (`codes()`)."""
    return {"proposal_id": proposal_id, "member_id": member_id, "ballot": ballot,
            "codes": codes, "weight": weight, "group_id": group_id, "cast_at": at,
            "updated_at": at}


def participation(*, proposal_id: int, member_id: int) -> dict[str, Any]:
    """The Participation row of a secret ballot: who voted, never what."""
    return {"proposal_id": proposal_id, "member_id": member_id}


def secret_ballot(*, proposal_id: int, receipt: str, ballot: Any, weight: Decimal | float,
                  group_id: int | None, ballot_id: uuid.UUID | None = None,
                  owner: str = "", codes: bytes | None = None) -> dict[str, Any]:
    """A SecretBallot row, found again by the hash of `receipt` (the code the member is
    shown once); `owner` is selectors.owner_hash of the voter and the receipt (empty:
    no one can change the ballot); `ballot_id` None leaves the id to the model's default."""
    row = {"proposal_id": proposal_id, "receipt_hash": selectors.receipt_hash(receipt),
           "owner_hash": owner, "ballot": ballot, "codes": codes, "weight": weight,
           "group_id": group_id}
    if ballot_id is not None:
        row["id"] = ballot_id
    return row


def audit_data(*, changed: bool, secret: bool) -> dict[str, Any]:
    """The details of a cast's audit entry (public for open and secret ballots alike)."""
    return {"changed": changed, "secret": secret}


def audit_entry(*, member_id: int, proposal_id: int, changed: bool, secret: bool,
                at: datetime) -> dict[str, Any]:
    """The AuditEntry row lib.audit.record writes for a cast (actor: the member, target:
    the proposal, no chapter)."""
    meta = Proposal._meta
    return {"actor_id": member_id, "action": AUDIT_ACTION,
            "target_type": f"{meta.app_label}.{meta.object_name}",
            "target_id": str(proposal_id), "chapter_id": None,
            "data": audit_data(changed=changed, secret=secret), "created_at": at}
