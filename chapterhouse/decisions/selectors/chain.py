"""The hash chain of decision records and the chain of dissent: what covers the
ballots, the heads a member saves outside the database, and everything wrong with
the chains (verify_decisions).

Four kinds of tampering with a copy of the database, and what catches each:

- a record altered: its content no longer matches its hash;
- a record rewritten with recomputed hashes (and the audit log recomputed too):
  only a copy saved outside the database can tell, so every record page shows
  the chain heads and /decisions/chain.json lists every link; `verify_decisions
  --against` compares the database with such a copy;
- the last records (and their audit entries) deleted: the same saved copy;
- dissent edited: each statement is a link of the chain of dissent (DissentEntry),
  and each shown statement must equal its author's last link;
- ballots edited: the record's hash covers `ballots_hash`, the hash of the ballots
  as the ballot file lists them, recomputed from the stored ballots here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from chapterhouse import voting

from ..models import Decision, Dissent, DissentEntry, Proposal, canonical_json
from .ballots import ballot_rows, published_step

CHAIN_FORMAT = "chapterhouse-chain/1"


def ballots_digest(proposal: Proposal, *, step: str | None = None) -> str:
    """sha256 of the ballots, in the order and spelling of the published ballot file
    (the "ballots" array of voting.make_ballot_file), as canonical JSON. Anyone can
    recompute it from a downloaded ballot file: sha256(canonical_json(file["ballots"])).
    `step`: the weight the ballots are published in parts of (published_step)."""
    snapshot = proposal.rule_snapshot or {}
    data = voting.make_ballot_file(
        method=snapshot["method"], options=list(snapshot.get("options", [])),
        params=dict(snapshot.get("params", {})), eligible_weight=0.0,
        ballots=((receipt, weight, ballot) for receipt, weight, ballot, _g
                 in ballot_rows(proposal)),
        result={}, step=step,
    )
    return hashlib.sha256(canonical_json(data["ballots"]).encode()).hexdigest()


def chain_head() -> dict[str, Any]:
    """The last link of each chain: what a member writes down to check the history
    later (shown on every record page, and the head of chain.json)."""
    record = Decision.objects.order_by("-sequence").values_list("sequence", "record_hash").first()
    dissent = (DissentEntry.objects.order_by("-sequence")
               .values_list("sequence", "entry_hash").first())
    return {
        "records": record[0] if record else 0,
        "record_hash": record[1] if record else "",
        "dissents": dissent[0] if dissent else 0,
        "dissent_hash": dissent[1] if dissent else "",
    }


def chain_export() -> Iterable[dict[str, Any]]:
    """The links of both chains, one dict per link, for chain.json (streamed)."""
    for sequence, record_hash, previous_hash in Decision.objects.order_by(
            "sequence").values_list("sequence", "record_hash", "previous_hash").iterator(
            chunk_size=5000):
        yield {"chain": "records", "sequence": sequence, "hash": record_hash,
               "previous_hash": previous_hash}
    for sequence, entry_hash, previous_hash in DissentEntry.objects.order_by(
            "sequence").values_list("sequence", "entry_hash", "previous_hash").iterator(
            chunk_size=5000):
        yield {"chain": "dissents", "sequence": sequence, "hash": entry_hash,
               "previous_hash": previous_hash}


def _links_problems(name: str, links: list[tuple[int, str, str]]) -> list[str]:
    """Gaps and broken links in one chain given as (sequence, hash, previous hash)."""
    problems: list[str] = []
    sequence_of = {link_hash: sequence for sequence, link_hash, _p in links}
    expected, previous_sequence, previous_hash = 1, 0, ""
    for sequence, link_hash, link in links:
        if sequence != expected:
            problems.append(
                f"{name} {expected}–{sequence - 1} are missing: removed from the chain."
                if sequence - 1 > expected else
                f"{name} {expected} is missing: removed from the chain."
            )
        if link != previous_hash:
            target = sequence_of.get(link)
            if target is not None and target != previous_sequence:
                problems.append(
                    f"{name} {sequence} links to {name.lower()} {target}, not to "
                    f"{name.lower()} {previous_sequence}: the {name.lower()}s were reordered."
                )
            elif sequence == expected:
                problems.append(
                    f"{name} {sequence} does not link to {name.lower()} {previous_sequence}: "
                    "its link was altered."
                )
        expected, previous_sequence, previous_hash = sequence + 1, sequence, link_hash
    return problems


def chain_problems() -> list[str]:
    """Everything wrong with the chains in the database, in plain sentences.

    Detects a record whose content no longer matches its hash (altered), gaps in the
    sequence (removed), links that point to another record than the previous one
    (reordered), ballots that no longer match the record's ballots hash, dissent that
    differs from its chain, and — against the audit log written when each decision was
    made — records missing at the end of the chain or rewritten with recomputed hashes.
    What a rewrite of the database and of its audit log together hides, only a saved
    copy shows (copy_problems). Empty when the chains are intact.
    """
    from chapterhouse.audit.models import AuditEntry

    links = list(
        Decision.objects.order_by("sequence").values_list("sequence", "record_hash",
                                                          "previous_hash")
    )
    problems = _links_problems("Record", links)
    expected = links[-1][0] + 1 if links else 1
    for decision in Decision.objects.select_related("proposal").order_by("sequence").iterator(
        chunk_size=500
    ):
        if decision.compute_hash() != decision.record_hash:
            problems.append(
                f"Record {decision.sequence} was altered: its content does not match its hash."
            )
        if decision.ballots_hash and ballots_digest(
                decision.proposal, step=published_step(decision)) != decision.ballots_hash:
            problems.append(
                f"The ballots of record {decision.sequence} were altered: they do not match "
                "the hash in the record."
            )
    logged = AuditEntry.objects.filter(
        action__in=("decisions.close_voting", "decisions.record_meeting_vote")).values_list(
        "data", flat=True
    )
    stored = {sequence: record_hash for sequence, record_hash, _p in links}
    for data in logged.iterator(chunk_size=1000):
        sequence, record_hash = data.get("sequence"), data.get("record_hash")
        if sequence is None:
            continue
        if sequence not in stored:
            if sequence >= expected:
                problems.append(
                    f"Record {sequence} is in the audit log but not in the chain: removed."
                )
        elif stored[sequence] != record_hash:
            problems.append(
                f"Record {sequence} differs from the hash logged when it was decided: the "
                "chain was rewritten."
            )
    problems += _dissent_problems(set(stored.values()))
    return problems


def _dissent_problems(record_hashes: set[str]) -> list[str]:
    entries = list(DissentEntry.objects.order_by("sequence"))
    problems = _links_problems("Dissent", [(e.sequence, e.entry_hash, e.previous_hash)
                                           for e in entries])
    latest: dict[tuple[int, str], DissentEntry] = {}
    for entry in entries:
        if entry.compute_hash() != entry.entry_hash:
            problems.append(
                f"Dissent {entry.sequence} was altered: its content does not match its hash."
            )
        if entry.record_hash not in record_hashes:
            problems.append(f"Dissent {entry.sequence} belongs to no record in the chain.")
        latest[(entry.decision_id, entry.member)] = entry
    shown = Dissent.objects.values_list("decision_id", "decision__sequence",
                                        "member__public_id", "text")
    seen: set[tuple[int, str]] = set()
    for decision_id, sequence, public_id, text in shown.iterator(chunk_size=1000):
        key = (decision_id, str(public_id))
        seen.add(key)
        found = latest.get(key)
        if found is None:
            problems.append(f"A dissent on record {sequence} is not in the chain of dissent.")
        elif found.text != text:
            problems.append(
                f"A dissent on record {sequence} differs from dissent {found.sequence} in "
                "the chain: its text was edited."
            )
    from django.apps import apps

    existing = {str(p) for p in apps.get_model("members", "Member").objects.filter(
        public_id__in=[m for _d, m in latest]).values_list("public_id", flat=True)}
    for (decision_id, member), entry in latest.items():
        # A deleted account takes its dissent row with it; its links stay.
        if (decision_id, member) not in seen and member in existing:
            problems.append(
                f"Dissent {entry.sequence} is in the chain but no longer shown: removed."
            )
    return problems


def copy_problems(saved: Mapping[str, Any]) -> list[str]:
    """What differs between the chains in the database and a copy saved earlier
    (the JSON of /decisions/chain.json, or of the decision log's export.json).

    Every link in the copy must still be in the database with the same hash: a link
    missing is a truncated (or cut) history, a different hash a rewritten one. Links
    made after the copy was saved are not in it and are fine.
    """
    problems: list[str] = []
    current = {
        "records": dict(Decision.objects.values_list("sequence", "record_hash")),
        "dissents": dict(DissentEntry.objects.values_list("sequence", "entry_hash")),
    }
    names = {"records": "Record", "dissents": "Dissent"}
    for link in saved["links"]:
        chain, sequence, link_hash = link["chain"], link["sequence"], link["hash"]
        found = current[chain].get(sequence)
        if found is None:
            problems.append(f"{names[chain]} {sequence} of the saved copy is missing: the "
                            "history was truncated.")
        elif found != link_hash:
            problems.append(f"{names[chain]} {sequence} differs from the saved copy: the "
                            "history was rewritten.")
    return problems


def parse_saved_copy(data: Any) -> dict[str, Any]:
    """The links of a saved copy: chain.json ({"format", "head", "links"}) or the decision
    log's export.json (a list of records with "sequence" and "record_hash").
    Raises ValueError for anything else."""
    links: list[dict[str, Any]] = []
    if isinstance(data, dict) and data.get("format") == CHAIN_FORMAT:
        raw = data.get("links")
        if not isinstance(raw, list):
            raise ValueError("The saved copy has no list of links.")
        for link in raw:
            if not (isinstance(link, dict) and link.get("chain") in ("records", "dissents")
                    and isinstance(link.get("sequence"), int)
                    and isinstance(link.get("hash"), str)):
                raise ValueError(f"Not a link of the chain: {str(link)[:80]}")
            links.append(link)
    elif isinstance(data, list):
        for row in data:
            if not (isinstance(row, dict) and isinstance(row.get("sequence"), int)
                    and isinstance(row.get("record_hash"), str)):
                raise ValueError(f"Not a decision record: {str(row)[:80]}")
            links.append({"chain": "records", "sequence": row["sequence"],
                          "hash": row["record_hash"]})
    else:
        raise ValueError("Not a saved copy of the chain (chain.json or export.json).")
    return {"links": links}
