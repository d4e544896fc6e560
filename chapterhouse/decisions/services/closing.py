"""Closing the vote: the count, the breakdown by sub-chapter, the record in the
hash chain, and dissent attached to it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import choice
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify, notify_roll_of

from .. import selectors
from ..models import (
    Ballot,
    Decision,
    Dissent,
    DissentEntry,
    Proposal,
    ProposalEvent,
    Roll,
    SecretBallot,
    canonical_json,
)
from .common import (
    BREAKDOWN_MIN_VOTERS,
    DecisionError,
    Status,
    _event,
    _facilitators,
    _locked,
    _now,
    _when,
)
from .rules_changes import _apply_effect

if TYPE_CHECKING:
    # Imported where a close needs it: no page loads numpy (voting/__init__.py).
    import numpy as np


def _normal(value: Any) -> Any:
    """The value as it will read back from a JSON column (for hashing before saving)."""
    return json.loads(canonical_json(value))


Coded = tuple[bytes, "np.ndarray"]  # the codes of all the ballots, and the bytes of each


def _prepared_ballots(proposal: Proposal
                      ) -> tuple[voting.Prepared, Any, np.ndarray, Coded | None]:
    """(the ballots validated and converted for the count, their weights as
    _ballot_arrays gives them, their group ids, -1 for none, and their codes when they
    were read), in the canonical order of selectors.ballot_rows.

    From the ballots' codes (Ballot.codes) when every ballot of the vote has them: no
    JSON is read and no Python object is made per ballot. Otherwise (a method without
    codes, or ballots stored before codes existed) from the JSON, as before; both give
    the same count.
    """
    snapshot = proposal.rule_snapshot or {}
    method, options = snapshot["method"], snapshot.get("options", [])
    params = snapshot.get("params", {})
    coded = _ballot_codes(proposal)
    if coded is not None:
        weights, buffer, sizes, group_ids = coded
        counted = voting.prepare_codes(method=method, options=options, weights=weights,
                                       codes=buffer, sizes=sizes, params=params)
        return counted, weights, group_ids, (buffer, sizes)
    weights, ballots, group_ids = _ballot_arrays(proposal)
    counted = voting.prepare(method=method, options=options, weights=weights,
                             ballots=ballots, params=params)
    return counted, weights, group_ids, None


def _ballots_hash(proposal: Proposal, counted: voting.Prepared, coded: Coded | None,
                  step: str | None) -> str:
    """selectors.ballots_digest of the vote. For open ballots read by their codes,
    spelled from those codes (voting.codes_digest: the same bytes, no ballot read or
    decoded again; a ballot's codes and JSON are written together by one statement);
    otherwise from the rows' JSON."""
    if coded is not None and not proposal.is_secret and step is None:
        snapshot = proposal.rule_snapshot or {}
        found = voting.codes_digest(method=snapshot["method"],
                                    options=snapshot.get("options", []), codes=coded[0],
                                    sizes=coded[1], units=counted.weights,
                                    denominator=counted.denominator)
        if found is not None:
            return found
    return selectors.ballots_digest(proposal, step=step)


def _ballot_codes(proposal: Proposal) -> tuple[Any, bytes, np.ndarray, np.ndarray] | None:
    """(weights, the codes of all the ballots as one buffer, the bytes of each ballot,
    group ids), as _ballot_arrays reads the rest; None when a ballot has no codes.

    On PostgreSQL one aggregate row: the codes concatenated by the server into one
    bytea, their sizes, weights and groups as text numpy parses."""
    import numpy as np

    snapshot = proposal.rule_snapshot or {}
    if snapshot.get("meeting") or snapshot.get("method") not in voting.CODED_METHODS:
        return None
    model, order = (SecretBallot, "receipt_hash") if proposal.is_secret else (Ballot, "id")
    if connection.vendor != "postgresql":
        rows = list(model.objects.filter(proposal=proposal).order_by(order)
                    .values_list("codes", "weight", "group_id"))
        if any(r[0] is None for r in rows):
            return None
        buffer, sizes = voting.join_codes([r[0] for r in rows])
        return ([r[1] for r in rows], buffer, sizes,
                np.array([-1 if r[2] is None else r[2] for r in rows], dtype=np.int64))
    texts = ", ".join(f"coalesce(string_agg({column}::text, ','), '')"
                      for column in ("octet_length(codes)", "weight", "coalesce(group_id, -1)"))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"SELECT count(*), count(codes), coalesce(string_agg(codes, ''::bytea), ''::bytea), "  # noqa: S608
           f"{texts} FROM (SELECT codes, weight, group_id FROM {table} "
           f"WHERE proposal_id = %s ORDER BY {order}) AS b")
    with connection.cursor() as cursor:
        cursor.execute(sql, [proposal.pk])
        n, coded, buffer, sizes, weights, groups = cursor.fetchone()
    if n != coded:
        return None
    if not n:
        return np.zeros(0), b"", np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
    return (np.fromstring(weights, dtype=np.float64, sep=","), bytes(buffer),
            np.fromstring(sizes, dtype=np.intp, sep=","),
            np.fromstring(groups, dtype=np.int64, sep=","))


def _ballot_arrays(proposal: Proposal) -> tuple[Any, list[Any], np.ndarray]:
    """(weights, ballots, group ids, -1 for none) in the canonical order of
    selectors.ballot_rows, for the count.

    On PostgreSQL one aggregate row: the ballots as one JSON array (parsed in one call),
    weights and groups as text numpy parses; no row tuple, no per-row JSON decoding.
    The weights' decimal text ("1.500000") is parsed as floats, and the voting package
    reads each float as the simplest fraction it stands for, which for a decimal of at
    most 6 places and 12 digits is that decimal exactly (no two such decimals are
    within a float's precision of each other), so the count is exact. Elsewhere the
    weights are the Decimals the rows hold.
    The three aggregates advance together row by row, so they always line up; they take
    the rows as the ordered subquery gives them (one sort, not three), which only
    decides which bad ballot an error would name first; the count is order-free.
    """
    import numpy as np

    if connection.vendor != "postgresql":
        rows = list(selectors.ballot_rows(proposal))
        return ([r[1] for r in rows], [r[2] for r in rows],
                np.array([-1 if r[3] is None else r[3] for r in rows], dtype=np.int64))
    model, order = (SecretBallot, "receipt_hash") if proposal.is_secret else (Ballot, "id")
    texts = ", ".join(f"coalesce(string_agg({column}::text, ','), '')"
                      for column in ("ballot", "weight", "coalesce(group_id, -1)"))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (f"SELECT count(*), {texts} FROM (SELECT ballot, weight, group_id FROM {table} "  # noqa: S608
           f"WHERE proposal_id = %s ORDER BY {order}) AS b")
    with connection.cursor() as cursor:
        cursor.execute(sql, [proposal.pk])
        n, ballots, weights, groups = cursor.fetchone()
    if not n:
        return np.zeros(0), [], np.zeros(0, dtype=np.int64)
    return (np.fromstring(weights, dtype=np.float64, sep=","), json.loads(f"[{ballots}]"),
            np.fromstring(groups, dtype=np.int64, sep=","))


def _published_in_parts(weights: Any) -> dict[str, Any] | None:
    """How a secret vote's ballots are published so that no weight singles out fewer
    than BREAKDOWN_MIN_VOTERS voters (voting.secrecy): {"step", "rows"}, or None when
    they can be published whole. `weights` as _ballot_arrays gives them."""
    import numpy as np

    values, counts = np.unique(np.asarray(weights), return_counts=True)
    by_weight: dict[Any, int] = {}
    for value, n in zip(values.tolist(), counts.tolist(), strict=True):
        weight = voting.exact(value)
        by_weight[weight] = by_weight.get(weight, 0) + n
    step = voting.publication_step(by_weight, BREAKDOWN_MIN_VOTERS)
    if step is None:
        return None
    rows = sum(int(weight / step) * n for weight, n in by_weight.items())
    return {"step": voting.to_text(step), "rows": rows}


def _breakdown(proposal: Proposal, counted: voting.Prepared, group_ids: np.ndarray,
               secret: bool, eligible: Mapping[int | None, tuple[Decimal, int]],
               ) -> tuple[dict[str, Any], set[int | None]]:
    """The result per sub-chapter of the scope (by where voters lived at the freeze).

    Secret ballots: a group is shown only with BREAKDOWN_MIN_VOTERS voters or more,
    and if the hidden groups together have fewer, more groups are hidden (smallest
    first), so no group's result can be worked out by subtraction from the total.
    Returns the breakdown and the ids of the hidden groups. Each group is counted from
    the arrays the whole count made (no ballot is read or validated again); `eligible`
    is each group's eligible weight and members (selectors.roll_tallies).
    """
    import numpy as np

    found, inverse = np.unique(group_ids, return_inverse=True)
    by_row = np.argsort(inverse, kind="stable")  # each group's ballots, in order
    cuts = np.cumsum(np.bincount(inverse, minlength=found.size))[:-1]
    parts = np.split(by_row, cuts)
    # In the order the groups first appear, as the rows were read (ties in name keep it).
    by_group: dict[int | None, np.ndarray] = {
        (None if found[i] < 0 else int(found[i])): parts[i]
        for i in sorted(range(found.size), key=lambda i: int(parts[i][0]))
    }
    hidden: set[int | None] = set()
    if secret:
        hidden = {g for g, ballots in by_group.items() if len(ballots) < BREAKDOWN_MIN_VOTERS}
        shown = sorted((g for g in by_group if g not in hidden), key=lambda g: len(by_group[g]))
        while shown and 0 < sum(len(by_group[g]) for g in hidden) < BREAKDOWN_MIN_VOTERS:
            hidden.add(shown.pop(0))
    chapters = {
        c["pk"]: c for c in Chapter.objects.filter(
            pk__in=[g for g in by_group if g is not None]
        ).values("pk", "url_path", "name")
    }
    groups = []
    def name_of(group_id: int | None) -> str:
        return chapters[group_id]["name"] if group_id in chapters else ""

    for group_id in sorted(by_group, key=name_of):
        if group_id in hidden:
            continue
        ballots = by_group[group_id]
        result = counted.count(eligible_weight=eligible.get(group_id, (Decimal(0), 0))[0],
                               rows=ballots)
        chapter = chapters.get(group_id) if group_id is not None else None
        groups.append({
            "chapter": chapter["url_path"] if chapter else proposal.chapter.url_path,
            "name": chapter["name"] if chapter else proposal.chapter.name,
            "direct": chapter is None,
            "voters": len(ballots),
            "eligible_members": eligible.get(group_id, (0.0, 0))[1],
            "result": result.to_dict(),
        })
    summary = {
        "groups": groups,
        "hidden_groups": len(hidden),
        "hidden_voters": sum(len(by_group[g]) for g in hidden),
        "min_voters": BREAKDOWN_MIN_VOTERS if secret else 0,
    }
    return summary, hidden


def _shuffle_secret_ballots(proposal: Proposal) -> None:
    """Rewrite the vote's secret ballots in random order (PostgreSQL), in one statement.

    PostgreSQL appends rows to a table's heap in the order they are written and stamps
    each with its transaction (xmin); a secret ballot is written in the transaction
    that records its voter's participation. Rewritten here, every ballot of the vote
    takes a new place in random order and the closing transaction's stamp, so neither
    the physical order nor the transaction pairs a participation with a ballot any more.
    (SQLite: the ballots were given random rowids when cast.) The old row versions
    remain on disk until VACUUM: see the README's residual risks.
    """
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(SecretBallot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} WHERE proposal_id = %s RETURNING *) "  # noqa: S608
            f"INSERT INTO {table} SELECT * FROM gone ORDER BY random()",
            [proposal.pk],
        )


def _outcome(result: Any, snapshot: Mapping[str, Any]) -> str:
    if snapshot.get("switched") and result.outcome == "elected":
        if result.winners == ["proposal"]:
            return Decision.Outcome.PASSED
        if result.winners == ["none"]:
            return Decision.Outcome.REJECTED
    return str(result.outcome)


def close_voting(*, proposal: Proposal, now: datetime | None = None) -> Decision:
    """Count the ballots and record the decision, when voting is due to close.

    Atomic and idempotent: the proposal row is locked for update (in-flight ballots
    hold a share lock, so they commit first and are counted, and later ones are
    refused); a proposal already closed returns its decision. Refuses before
    `voting_closes_at`. The ballots are read as tuples, never model instances.
    Passed "rules" and "roles" proposals are applied in the same transaction.
    """
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status == Status.CLOSED:
            return Decision.objects.get(proposal=proposal)
        if proposal.status != Status.VOTING:
            raise DecisionError(_("Only a proposal being voted on can be closed."))
        if now < proposal.voting_closes_at:  # type: ignore[operator]
            raise DecisionError(_("Voting is open until %(when)s.")
                                % {"when": _when(proposal.voting_closes_at)})  # type: ignore[arg-type]
        snapshot = proposal.rule_snapshot or {}
        roll = Roll.objects.get(proposal=proposal)
        secret = bool(snapshot.get("secret"))
        counted, weights, group_ids, coded = _prepared_ballots(proposal)
        parts = _published_in_parts(weights) if secret else None
        if parts is None:
            result = counted.count(eligible_weight=roll.total_weight)
        else:
            # The result is the count of the file as published: of the ballots' parts
            # (the same tallies; the parts are the "ballots", a reason is given by each).
            step = voting.exact(parts["step"])
            repeats = [int(voting.exact(w) / step) for w in weights]
            result = counted.repeated(repeats, step).count(eligible_weight=roll.total_weight)
        outcome = _outcome(result, snapshot)
        tallies = selectors.roll_tallies(proposal)
        breakdown, hidden = _breakdown(proposal, counted, group_ids, secret, tallies.by_group)
        effect = _apply_effect(proposal, outcome)
        options = [
            {"key": o.key, "label": o.label, "text": o.text, "source": o.source}
            for o in proposal.options.order_by("position", "id")
        ]
        decision = Decision(
            proposal=proposal, chapter=proposal.chapter, scope_path=proposal.chapter.url_path,
            category=proposal.category, title=proposal.title, text=proposal.text,
            options=_normal(options), outcome=outcome, winners=_normal(list(result.winners)),
            result=_normal(result.to_dict()), rule=_normal(snapshot),
            roll=_normal({
                "hash": roll.hash, "size": roll.size,
                "total_weight": voting.to_text(roll.total_weight),
                "frozen_at": roll.frozen_at.isoformat(),
                "weights": tallies.weights,
            }),
            turnout=_normal({
                "voters": len(counted),
                "turnout_weight": voting.to_text(result.turnout_weight),
                "eligible_weight": voting.to_text(result.eligible_weight),
                "share": (float(result.turnout_weight / result.eligible_weight)
                          if result.eligible_weight else 0.0),
                **({"published_in_parts": parts} if parts else {}),
            }),
            breakdown=_normal(breakdown), effect=_normal(effect), decided_at=now,
            ballots_hash=_ballots_hash(proposal, counted, coded, parts["step"] if parts else None),
        )
        _chain(decision)
        hidden_ids = [g for g in hidden if g is not None]
        if secret and hidden_ids:
            # A ballot's sub-chapter only fed the breakdown: forget it where the group
            # was too small to show.
            SecretBallot.objects.filter(proposal=proposal, group_id__in=hidden_ids).update(
                group=None
            )
        if secret:
            _shuffle_secret_ballots(proposal)
        proposal.status = Status.CLOSED
        proposal.closed_at = now
        proposal.updated_at = now
        proposal.save(update_fields=["status", "closed_at", "updated_at"])
        _event(proposal, ProposalEvent.Kind.CLOSED, None, outcome=outcome,
               winners=list(result.winners), sequence=decision.sequence,
               record_hash=decision.record_hash)
        audit.record(actor=None, action="decisions.close_voting", target=decision,
                     chapter=proposal.chapter,
                     data={"proposal": str(proposal.public_id), "outcome": outcome,
                           "sequence": decision.sequence, "record_hash": decision.record_hash})
        recipients = _facilitators(proposal.chapter)
        if proposal.author is not None:
            recipients.append(proposal.author)
        title = proposal.title
        decided = {"title": title, "outcome": choice(outcome)}
        event = f"decision_recorded:{decision.record_hash}"  # one per decision
        notify(recipients=recipients, kind=Kind.DECISION_RECORDED,
               message="decisions.decided", params=decided,
               url=proposal.get_absolute_url(), event=event)
        # Everyone else on the roll, in the background (never in the request).
        notify_roll_of(proposal_id=proposal.pk, kind=Kind.DECISION_RECORDED,
                       message="decisions.decided", params=decided,
                       url=proposal.get_absolute_url(), exclude=[m.pk for m in recipients],
                       event=f"{event}:roll")
    return decision


def _chain(decision: Decision) -> None:
    """Give the decision the next sequence number and link it to the previous record.

    Two closes at once compute the same next number; the unique constraint lets one
    through and the other retries with the new head of the chain.
    """
    for _attempt in range(10):
        head = Decision.objects.order_by("-sequence").values_list("sequence", "record_hash").first()
        decision.sequence = head[0] + 1 if head else 1
        decision.previous_hash = head[1] if head else ""
        decision.record_hash = decision.compute_hash()
        try:
            with transaction.atomic():
                decision.save(force_insert=True)
            return
        except IntegrityError:
            decision.pk = None
            continue
    raise DecisionError(_("The decision record could not be written; try again."))


def add_dissent(*, decision: Decision, member: Member, text: str) -> Dissent:
    """A member who voted against the outcome (open ballot: their ballot says so;
    secret ballot: any member who voted, since what they voted is not known) attaches
    a statement to the record. Writing again replaces their statement."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DecisionError(_("Write your dissent."))
    if len(text) > 5000:
        raise DecisionError(_("A dissent can be at most 5,000 characters long."))
    if not selectors.may_dissent(decision, member):
        raise DecisionError(_("Only members who voted against this outcome can add a dissent."))
    with transaction.atomic():
        dissent, _created = Dissent.objects.update_or_create(
            decision=decision, member=member, defaults={"text": text},
        )
        _chain_dissent(decision, member, text)
        _event(decision.proposal, ProposalEvent.Kind.DISSENT_ADDED, member)
        audit.record(actor=member, action="decisions.add_dissent", target=dissent,
                     chapter=decision.chapter,
                     data={"proposal": str(decision.proposal.public_id)})
    return dissent


def _chain_dissent(decision: Decision, member: Member, text: str) -> DissentEntry:
    """Append a statement to the chain of dissent (see Decision): the next sequence,
    linked to the previous entry. Two at once compute the same number; the unique
    constraint lets one through and the other retries with the new head."""
    for _attempt in range(10):
        head = (DissentEntry.objects.order_by("-sequence")
                .values_list("sequence", "entry_hash").first())
        entry = DissentEntry(
            sequence=head[0] + 1 if head else 1, decision=decision,
            record_hash=decision.record_hash, member=str(member.public_id), text=text,
            created_at=_now(None), previous_hash=head[1] if head else "",
        )
        entry.entry_hash = entry.compute_hash()
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
            return entry
        except IntegrityError:
            continue
    raise DecisionError(_("The dissent could not be recorded; try again."))
