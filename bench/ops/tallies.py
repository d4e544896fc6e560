"""Tallies: our counts against votelib, pyrankvote and numpy, in memory and from the database.

In memory (random weighted partial rankings of 15 options, fixed seed; `tally_ballots`
ballots, 1M at tiers M and L):

- Schulze: ``voting.count`` from ballot dicts (validation, conversion, tally: what a close
  runs) vs votelib (its vote dict built from the same ballots, RankedToCondorcetVotes,
  Schulze). Target ≥ 30× faster. Correct when the winners agree and votelib's full order
  is an order of ours (options ranked by how many others they beat; equal counts tie).
- instant-runoff: ``voting.count`` vs pyrankvote on the same ballots, unweighted
  (pyrankvote has no weights). Target ≥ 15× faster. Correct when the winner and every
  round's eliminations agree.
- approval, score, majority: the array tallies (``arrays.approval``, ``arrays.score``,
  ``arrays.tally_choices``: weights checked and scaled to exact whole units, chunked sums) vs
  bare numpy on the same arrays (``np.bincount`` of the choices; ``w @ matrix`` for
  approval and score, faster than a bincount of their nonzero cells). Target ≤ 2×: the
  price of exact weights.

A reference that would take more than VOTELIB_BUDGET_S per run is run on a prefix of the
ballots and its times scaled linearly to the full count (said in the row's notes; the
correctness check then compares both counts on that prefix).

From the database ("close a Schulze vote"): the biggest Schulze proposal in voting, or one
made by :func:`setup_vote` (through the services, ballots stored through lib.bulk as
cast_ballot stores them, JSON and codes). Two rows against a plain SELECT of the same
ballot rows fetched to Python through the same driver:

- "read + count" (target ≤ 1.5×): ``services._prepared_ballots`` + ``Prepared.count``,
  exactly as close_voting reads and counts (from the ballots' codes when they all have
  them, else from their JSON; the row's notes say which);
- "whole close" (target ≤ 2×): ``services.close_voting`` in a transaction rolled back
  afterwards (the count, the per-sub-chapter breakdown, the roll summary, the Decision,
  event, audit, notices), so every round closes the same vote.

Both are correct when the count equals ``voting.count`` of the JSON of the rows the
SELECT fetched, the winners equal votelib's on them, and the close records those winners.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from bench.ops.common import Context, interleave, row
from bench.voting.bench_tallies import random_ranks, rankings
from chapterhouse import voting
from chapterhouse.voting import arrays
from chapterhouse.voting.params import MAX_SCORE

OPTIONS = 15
WEIGHTS = np.array([0.5, 1.0, 1.0, 1.0, 2.0, 3.0])
VOTELIB_BUDGET_S = 60.0  # longest reference run we wait for; beyond it, a prefix
PROBE = 5_000  # ballots in the probe run that estimates a reference's speed
BENCH_CATEGORY = "bench-ranked"
BENCH_TITLE = "Bench: a ranked vote of the whole organisation"


def default_ballots(ctx: Context) -> int:
    if "tally_ballots" in ctx.options:
        return int(ctx.options["tally_ballots"])
    if ctx.ci:
        return 2_000
    return 20_000 if ctx.tier == "S" else 1_000_000


def measure(ctx: Context) -> list[dict[str, Any]]:
    rows = in_memory(ctx, default_ballots(ctx))
    if not ctx.options.get("tallies_memory_only"):
        rows += close_vote(ctx)
    return rows


# -- references ---------------------------------------------------------------------------


def votelib_schulze(pairs: Sequence[tuple[float, dict[str, Any]]], k: int) -> list[str]:
    """votelib's full Schulze order (k seats), from (weight, {"ranking": [...]}) pairs."""
    import votelib.convert
    import votelib.evaluate.condorcet

    votes: dict[tuple[str, ...], float] = {}
    for weight, ballot in pairs:
        key = tuple(ballot.get("ranking", ()))
        if key:
            votes[key] = votes.get(key, 0.0) + weight
    condorcet = votelib.convert.RankedToCondorcetVotes().convert(votes)
    order = votelib.evaluate.condorcet.Schulze().evaluate(condorcet, k)
    return [str(o) for group in order for o in (group if isinstance(group, tuple) else (group,))]


def pyrankvote_irv(rankings_: Sequence[Sequence[str]], options: Sequence[str]) -> Any:
    import pyrankvote

    candidates = {o: pyrankvote.Candidate(o) for o in options}
    ballots = [pyrankvote.Ballot([candidates[o] for o in r]) for r in rankings_]
    return pyrankvote.instant_runoff_voting(list(candidates.values()), ballots)


def schulze_agrees(result: voting.Result, order: list[str]) -> bool:
    """Same winners, and votelib's order never puts an option above one that beats more."""
    wins = result.explanation["wins"]
    beaten = [wins[o] for o in order]
    top = max(wins.values())
    return (
        sorted(order) == sorted(wins)
        and all(a >= b for a, b in zip(beaten, beaten[1:], strict=False))
        and set(result.winners) == {o for o in order if wins[o] == top}
    )


def irv_agrees(result: voting.Result, reference: Any) -> tuple[bool, str]:
    """Same eliminations round by round, and the same winner, up to the first tie.

    A tie for the least weight is broken by our documented rule (earlier rounds, or all
    at once when together they have less than the next); pyrankvote breaks it its own
    way, so from a tie on the two counts may legitimately part.
    """
    ours: list[set[str]] = []
    tied = False
    for rnd in result.explanation["rounds"]:
        if rnd["tie"]:
            tied = True
            break
        if rnd["eliminated"]:
            ours.append(set(rnd["eliminated"]))
    theirs: list[set[str]] = []
    out: set[str] = set()
    for rnd in reference.rounds:
        if any(c.status == "Elected" for c in rnd.candidate_results):
            break  # the last round also marks the losers who were never eliminated
        rejected = {c.candidate.name for c in rnd.candidate_results if c.status == "Rejected"}
        if rejected - out:
            theirs.append(rejected - out)
        out |= rejected
    winners = [c.name for c in reference.get_winners()]
    if tied:
        return ours == theirs[: len(ours)], (
            f"eliminations compared up to round {len(ours) + 1}, a tie our rule breaks"
            + ("" if winners == list(result.winners) else "; pyrankvote elects another"))
    return winners == list(result.winners) and ours == theirs, ""


def budgeted(fn: Callable[[int], Any], n: int) -> tuple[int, str]:
    """How many of the n ballots a slow reference runs on (all, or a prefix within budget)."""
    m = min(n, PROBE)
    start = time.perf_counter()
    fn(m)
    estimate = (time.perf_counter() - start) * n / m
    if estimate <= VOTELIB_BUDGET_S:
        return n, ""
    m = max(PROBE, int(n * VOTELIB_BUDGET_S / estimate))
    return m, (f"reference run on the first {m:,} ballots (a full run ≈ {estimate:.0f} s) and "
               f"its times scaled ×{n / m:.2f}; correctness checked on those ballots")


# -- in memory ----------------------------------------------------------------------------


def ballots_for(ctx: Context, n: int) -> tuple[list[str], np.ndarray, np.ndarray, list[list[str]]]:
    rng = np.random.default_rng(ctx.seed)
    options = [f"o{j}" for j in range(OPTIONS)]
    ranks = random_ranks(rng, n, OPTIONS)
    weights = rng.choice(WEIGHTS, n)
    return options, ranks, weights, rankings(ranks, options)


def in_memory(ctx: Context, n: int) -> list[dict[str, Any]]:
    options, ranks, weights, ranked = ballots_for(ctx, n)
    rows = [schulze_row(ctx, options, ranks, weights, ranked),
            irv_row(ctx, options, ranks, ranked)]
    rows += bincount_rows(ctx, n)
    return rows


def schulze_row(ctx: Context, options: list[str], ranks: np.ndarray, weights: np.ndarray,
                ranked: list[list[str]]) -> dict[str, Any]:
    n = len(ranked)
    pairs = [(w, {"ranking": r}) for w, r in zip(weights.tolist(), ranked, strict=True)]
    total = float(weights.sum())

    def ours(m: int = n) -> voting.Result:
        return voting.count(method="schulze", options=options, ballots=pairs[:m], params={},
                            eligible_weight=total)

    m, note = budgeted(lambda m: votelib_schulze(pairs[:m], OPTIONS), n)
    a, b, ar, br, got, ref = interleave(ours, lambda: votelib_schulze(pairs[:m], OPTIONS),
                                        ctx.rounds)
    if m < n:
        got = ours(m)
        b, br = [t * n / m for t in b], [t * n / m for t in br]
    start = time.perf_counter()
    arrays.schulze(ranks, weights)
    array_s = time.perf_counter() - start
    ratio = _median(b) / _median(a)
    return row(
        f"Schulze, {n:,} weighted ballots × {OPTIONS} (in memory)", "votelib Schulze", a, b,
        ours_rounds=ar, ref_rounds=br, target="≥ 30× faster than votelib",
        correct=schulze_agrees(got, ref),
        failures=[] if ratio >= 30 else [f"{ratio:.1f}× faster, target ≥ 30×"],
        notes="; ".join(filter(None, [
            "ours: voting.count from ballot dicts (validation + conversion + tally)",
            f"the array tally alone (arrays.schulze): {array_s * 1000:.0f} ms", note])),
        extra={"speedup": round(ratio, 1), "ballots": n},
    )


def irv_row(ctx: Context, options: list[str], ranks: np.ndarray,
            ranked: list[list[str]]) -> dict[str, Any]:
    n = len(ranked)
    pairs = [(1.0, {"ranking": r}) for r in ranked]

    def ours(m: int = n) -> voting.Result:
        return voting.count(method="irv", options=options, ballots=pairs[:m], params={},
                            eligible_weight=float(n))

    m, note = budgeted(lambda m: pyrankvote_irv(ranked[:m], options), n)
    a, b, ar, br, got, ref = interleave(ours, lambda: pyrankvote_irv(ranked[:m], options),
                                        ctx.rounds)
    if m < n:
        got = ours(m)
        b, br = [t * n / m for t in b], [t * n / m for t in br]
    start = time.perf_counter()
    arrays.irv(ranks, np.ones(n))
    array_s = time.perf_counter() - start
    ratio = _median(b) / _median(a)
    agrees, tie_note = irv_agrees(got, ref)
    return row(
        f"instant-runoff, {n:,} ballots × {OPTIONS} (in memory, unweighted)", "pyrankvote",
        a, b, ours_rounds=ar, ref_rounds=br, target="≥ 15× faster than pyrankvote",
        correct=agrees,
        failures=[] if ratio >= 15 else [f"{ratio:.1f}× faster, target ≥ 15×"],
        notes="; ".join(filter(None, [
            "ours: voting.count from ballot dicts (validation + conversion + tally)",
            f"the array tally alone (arrays.irv): {array_s * 1000:.0f} ms", note, tie_note])),
        extra={"speedup": round(ratio, 1), "ballots": n},
    )


def bincount_rows(ctx: Context, n: int) -> list[dict[str, Any]]:
    """approval, score and majority array tallies vs the bare numpy one-liner on the same
    arrays: a weighted column sum (``w @ matrix``) for approval and score, np.bincount for
    the yes/no choices. (A bincount over ``np.nonzero`` of the matrix is slower still.)"""
    rng = np.random.default_rng(ctx.seed + 1)
    w = rng.choice(WEIGHTS, n)
    approvals = rng.random((n, OPTIONS)) < 0.3
    scores = rng.integers(0, MAX_SCORE + 1, (n, OPTIONS), dtype=np.int8)
    choices = rng.integers(-1, 3, n)  # yes, no, abstain; -1 a blank ballot

    def approval_ref() -> np.ndarray:
        return w @ approvals

    def score_ref() -> np.ndarray:
        return w @ scores

    def majority_ref() -> np.ndarray:
        counted = choices >= 0
        return np.bincount(choices[counted], weights=w[counted], minlength=3)

    cases: list[tuple[str, Callable[[], np.ndarray], Callable[[], np.ndarray]]] = [
        ("approval", lambda: arrays.approval(approvals, w), approval_ref),
        ("score", lambda: arrays.score(scores, w), score_ref),
        ("majority", lambda: arrays.tally_choices(choices, w, 3), majority_ref),
    ]
    out = []
    for name, ours, ref in cases:
        a, b, ar, br, got, want = interleave(ours, ref, ctx.rounds, repeat=3)
        ratio = _median(a) / _median(b)
        out.append(row(
            f"{name} tally, {n:,} weighted ballots (in memory)",
            "numpy bincount" if name == "majority" else "numpy weighted column sum", a, b,
            ours_rounds=ar, ref_rounds=br, target="≤ 2× bare numpy",
            correct=bool(np.allclose(got, want, rtol=1e-12, atol=1e-6)),
            failures=[] if ratio <= 2 else [f"{ratio:.2f}× bare numpy, target ≤ 2×"],
            notes="ours: the array tally (weights checked and scaled to exact whole units)",
        ))
    return out


def _median(values: list[float]) -> float:
    return float(np.median(values))


# -- from the database --------------------------------------------------------------------


def biggest_vote() -> tuple[Any, int] | None:
    from chapterhouse.decisions.models import Proposal

    found = (
        Proposal.objects.filter(status=Proposal.Status.VOTING, rule_snapshot__method="schulze")
        .annotate(n=Count("ballots"))
        .order_by("-n")
        .values_list("pk", "n")
        .first()
    )
    if not found or not found[1]:
        return None
    return Proposal.objects.get(pk=found[0]), found[1]


def setup_vote(ctx: Context, size: int | None = None) -> Any:
    """A Schulze proposal of the International in voting, with `size` ranked ballots.

    Made the way the app makes it (create_draft, publish, open_voting: the roll frozen
    from every active member), under a bench-only rule ("bench-ranked", Schulze, 15
    options). The ballots are random partial rankings (fixed seed) stored as
    cast_ballot stores them (one row per member on the roll, the roll's weight and group:
    decisions.ballot_rows), through lib.bulk (COPY on PostgreSQL). Beyond the roll's size,
    the extra ballots and roll entries have no member (as a deleted account leaves them),
    so the count still balances.
    """
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.decisions import ballot_rows, services
    from chapterhouse.decisions.models import Ballot, DecisionRule, Method, Roll, RollEntry
    from chapterhouse.lib import bulk
    from chapterhouse.members.models import Member

    international = Chapter.objects.get(depth=1)
    author = Member.objects.filter(user__is_active=True).order_by("pk").first()
    if author is None:
        raise RuntimeError("tallies: the database has no members; seed it first")
    DecisionRule.objects.update_or_create(
        chapter=international, category=BENCH_CATEGORY,
        defaults={"method": Method.SCHULZE, "params": {"quorum": 0}, "deliberation_days": 1,
                  "amendment_days": 1, "voting_days": 30},
    )
    proposal = services.create_draft(
        chapter=international, author=author, title=BENCH_TITLE, category=BENCH_CATEGORY,
        text="Which of these fifteen should we do first? (bench data)",
        options=[f"Option {i}" for i in range(1, OPTIONS + 1)],
    )
    # Published now: the vote opens tomorrow and closes in a month, so the scheduled
    # advance_proposal tasks stay in the future and a worker never closes the bench vote.
    proposal = services.publish(proposal=proposal, actor=author, now=timezone.now())
    proposal = services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    roll = Roll.objects.get(proposal=proposal)
    entries: list[tuple[int | None, Any, int | None]] = list(
        RollEntry.objects.filter(roll=roll).order_by("pk")
        .values_list("member_id", "weight", "group_id"))
    size = size or len(entries)
    if size > len(entries):
        extra = [RollEntry(roll=roll, member=None, weight=Decimal(1), reason="bench: no member",
                           group_id=entries[i % len(entries)][2])
                 for i in range(size - len(entries))]
        RollEntry.objects.bulk_create(extra, batch_size=10_000)
        entries += [(None, Decimal(1), e.group_id) for e in extra]
        Roll.objects.filter(pk=roll.pk).update(size=len(entries),
                                               total_weight=sum(e[1] for e in entries))
    assert proposal.rule_snapshot is not None and proposal.voting_opens_at is not None
    keys = proposal.rule_snapshot["options"]
    _options, _ranks, _w, ranked = ballots_for(ctx, size)
    cast_at = proposal.voting_opens_at + timedelta(hours=1)
    by_key = dict(zip(_options, keys, strict=True))
    snapshot = proposal.rule_snapshot

    def stored(member: int | None, weight: Any, group: int | None, r: list[str]) -> Any:
        ballot = {"ranking": [by_key[o] for o in r]}
        return ballot_rows.open_ballot(proposal_id=proposal.pk, member_id=member,
                                       ballot=ballot, codes=ballot_rows.codes(snapshot, ballot),
                                       weight=weight, group_id=group, at=cast_at)

    # Through decisions.ballot_rows, the rows cast_ballot stores.
    rows = (stored(member, weight, group, r)
            for (member, weight, group), r in zip(entries[:size], ranked, strict=True))
    with transaction.atomic():
        bulk.insert_rows(Ballot, rows, batch_size=5_000)
    if bulk.uses_copy():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE decisions_ballot")
    return proposal


def close_vote(ctx: Context) -> list[dict[str, Any]]:
    from chapterhouse.decisions import services
    from chapterhouse.decisions.models import Ballot, Roll

    found = biggest_vote()
    wanted = ctx.options.get("vote_ballots")
    if found is None or (wanted and found[1] < int(wanted)):
        setup_vote(ctx, int(wanted) if wanted else None)
        found = biggest_vote()
    assert found is not None
    proposal, n = found
    snapshot = proposal.rule_snapshot
    eligible = Roll.objects.get(proposal=proposal).total_weight
    k = len(snapshot["options"])
    table = connection.ops.quote_name(Ballot._meta.db_table)
    select = f"SELECT weight, ballot, group_id FROM {table} WHERE proposal_id = %s"  # noqa: S608

    def read_and_count() -> tuple[int, voting.Result]:
        counted, _weights, _groups, _coded = services._prepared_ballots(proposal)
        return len(counted), counted.count(eligible_weight=eligible)

    from_codes = services._ballot_codes(proposal) is not None

    def plain_select() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(select, [proposal.pk])
            return cursor.fetchall()

    def whole_close() -> Any:
        with transaction.atomic():
            decision = services.close_voting(proposal=proposal, now=proposal.voting_closes_at)
            transaction.set_rollback(True)
        return decision

    a, b, ar, br, (counted, result), fetched = interleave(read_and_count, plain_select,
                                                          ctx.rounds)
    ca, cb, car, cbr, decision, _ = interleave(whole_close, plain_select, ctx.rounds)
    if ctx.options.get("tallies_profile"):
        _profile(whole_close)
    # votelib on the stored ballots (a prefix when it would run over budget).
    # Django's PostgreSQL connection hands jsonb over as text (JSONField parses it).
    # Weights are exact decimals in the database; votelib takes floats (1.5 stays 1.5).
    pairs = [(float(w), json.loads(b_) if isinstance(b_, str) else b_) for w, b_, _g in fetched]
    m, note = budgeted(lambda m: votelib_schulze(pairs[:m], k), n)
    reference = votelib_schulze(pairs[:m], k)
    mine = result if m == n else voting.count(
        method="schulze", options=snapshot["options"], ballots=pairs[:m], params={},
        eligible_weight=eligible)
    agrees = schulze_agrees(mine, reference)
    same_rows = counted == len(fetched) == n
    from_json = voting.count(method="schulze", options=snapshot["options"], ballots=pairs,
                             params=snapshot.get("params", {}), eligible_weight=eligible)
    correct = (agrees and same_rows and decision.winners == list(result.winners)
               and result == from_json)
    where = "the stored ballots" + (f" (first {m:,})" if m < n else "")
    out = []
    source = "the ballots' codes" if from_codes else "the ballots' JSON (some have no codes)"
    for name, ours_t, ours_r, ref_t, ref_r, limit, what in (
        ("read + count", a, ar, b, br, 1.5,
         f"services._prepared_ballots (from {source}) + count, as close_voting reads and "
         "counts"),
        ("whole close", ca, car, cb, cbr, 2.0,
         "services.close_voting in a rolled-back transaction: the count, the breakdown by "
         "sub-chapter, the roll summary, the Decision, event, audit and notices"),
    ):
        ratio = _median(ours_t) / _median(ref_t)
        out.append(row(
            f"close a Schulze vote, {n:,} stored ballots × {k}: {name}",
            "a plain SELECT of the ballot rows (same driver, fetched to Python)",
            ours_t, ref_t, ours_rounds=ours_r, ref_rounds=ref_r,
            target=f"≤ {limit:g}× the SELECT", correct=correct,
            failures=[] if ratio <= limit else [f"{ratio:.2f}× the SELECT, target ≤ {limit:g}×"],
            notes=f"ours: {what}; correct: all {n:,} rows counted, the count equals "
                  f"voting.count of the rows' JSON, winners equal votelib's on "
                  f"{where}" + (f"; {note}" if note else ""),
            extra={"ballots": n},
        ))
    return out


def _profile(fn: Callable[[], Any]) -> None:
    """One more run of `fn` under cProfile, its top functions to stderr (--option
    tallies_profile=1): where a slow close spends its time."""
    import cProfile
    import pstats
    import sys

    profile = cProfile.Profile()
    profile.runcall(fn)
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
