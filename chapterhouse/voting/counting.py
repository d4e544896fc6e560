"""``count()``: ballots in, a Result with its explanation out.

The ballots are validated and turned into numpy arrays in one pass; the tallies in
``arrays`` then work on whole arrays. Weights are exact (see ``weights``): whole numbers
of units of 1/D, D their common denominator, so totals are exact and a recount in any
ballot order gives the identical result. Weights in the Result and its explanation are
``Fraction`` objects; ``Result.to_dict()`` writes them as exact text.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from operator import itemgetter
from typing import Any

import numpy as np

from . import arrays
from . import codes as coded
from .ballots import (
    Validator,
    approval_matrix,
    approvals_from_flat,
    choice_codes,
    plurality_codes,
    rank_matrix,
    ranks_from_flat,
    score_matrix,
)
from .errors import InvalidParams
from .params import (
    APPROVAL,
    CHOICES,
    CONSENSUS,
    CONSENT,
    IRV,
    LOT,
    MAJORITY,
    MAX_SCORE,
    PLURALITY,
    SCHULZE,
    SCORE,
    SUPERMAJORITY,
    YES_NO_METHODS,
    check_method,
    check_options,
    normalise_params,
)
from .result import ELECTED, NO_DECISION, NO_QUORUM, PASSED, REJECTED, Result
from .ties import lot_order
from .weights import MAX_TOTAL, Weight, exact, to_text, to_units

# Why the outcome is what it is (explanation["why"]); describe() words each one.
WHY_THRESHOLD_MET = "threshold_met"
WHY_THRESHOLD_NOT_MET = "threshold_not_met"
WHY_NO_VOTES = "no_votes"
WHY_BLOCKED = "blocked"
WHY_NO_BLOCK = "no_block"
WHY_MOST = "most_weight"
WHY_SCHULZE = "schulze_winner"
WHY_IRV_MAJORITY = "majority_of_continuing"
WHY_TIE = "tie"
WHY_TIE_LOT = "tie_lot"
WHY_NOTHING = "nothing_to_count"
WHY_NO_QUORUM = "no_quorum"


def _w(units: Any, denominator: int) -> Fraction:
    """Units (a whole number, int or float) → the exact weight."""
    if denominator == 1:  # Fraction's fast path: nothing to reduce
        return Fraction(int(units))
    return Fraction(int(units), denominator)


def _matrices(d: int, *matrices: list[list[Any]]) -> list[list[list[Fraction]]]:
    """Matrices of units as exact weights, one Fraction made per distinct value (a
    strongest path is as strong as one of the pairwise counts: the two share them)."""
    made: dict[Any, Fraction] = {}

    def weight(units: Any) -> Fraction:
        found = made.get(units)
        if found is None:
            found = made[units] = _w(units, d)
        return found

    return [[[weight(x) for x in row] for row in matrix] for matrix in matrices]


def _share(part: Any, whole: Any) -> float | None:
    """A share for display (rounded to 6 places; never used to decide anything)."""
    return round(float(Fraction(int(part), int(whole))), 6) if whole else None


def _fraction(x: float) -> Fraction:
    """A threshold as the fraction it stands for (0.6666666666666666 → 2/3)."""
    return Fraction(x).limit_denominator(1_000_000)


def count(
    *,
    method: str,
    options: Sequence[str],
    ballots: Iterable[tuple[Weight, Mapping[str, Any]]],
    params: Mapping[str, Any] | None,
    eligible_weight: Weight,
    legacy: bool = False,
) -> Result:
    """Count weighted ballots. ``ballots`` are (weight, ballot) pairs.

    Weights and ``eligible_weight`` are read exactly (see ``weights``). ``legacy``
    counts as files of ``chapterhouse-ballots/1`` were counted: instant-runoff without
    the ``any_order`` tie rule, which came later.

    Raises ``InvalidBallot`` (with ``index``) for a ballot that does not fit the method,
    ``InvalidParams`` for bad options, parameters or weights, or when the ballots weigh
    more than ``eligible_weight``.
    """
    method, opts, p = _setup(method, options, params)
    weights, ballot_list = _unpair(ballots)
    wq, denominator = _units(weights)
    eligible = _check_turnout(wq, denominator, eligible_weight)
    prepared = _convert(Validator(method, opts, p), wq, denominator, ballot_list)
    return _count(replace(prepared, legacy=True) if legacy else prepared, eligible)


@dataclass(frozen=True, eq=False)
class Prepared:
    """Ballots validated and converted to arrays once, to be counted whole or in parts.

    Made by ``prepare()``. ``count(eligible_weight=, rows=None)`` gives exactly the
    Result that ``count()`` gives for the same ballots (``rows``: the positions of the
    ballots to count, in order), with no ballot validated or converted again.
    """

    method: str
    options: list[str]
    params: dict[str, Any]
    weights: np.ndarray  # whole units of 1/denominator (float64 kept exact, or Python ints)
    arrays: tuple[np.ndarray, ...]  # codes / a rank, approval or score matrix (+ scored)
    ballots: Sequence[Any]  # kept for the reasons of consent and consensus
    denominator: int = 1
    legacy: bool = False  # the rules of chapterhouse-ballots/1 (no any-order tie rule)

    def __len__(self) -> int:
        return int(self.weights.shape[0])

    def take(self, rows: Any) -> Prepared:
        rows = np.asarray(rows, dtype=np.intp)
        kept = [self.ballots[i] for i in rows.tolist()] if self.ballots else []
        return replace(self, weights=self.weights[rows],
                       arrays=tuple(a[rows] for a in self.arrays), ballots=kept)

    def repeated(self, times: Any, weight: Weight) -> Prepared:
        """Each ballot ``times[i]`` times over, every copy of weight ``weight`` (a secret
        vote's ballots published in parts: see ``secrecy``). The same as ``prepare()`` of
        the repeated ballots with those weights."""
        rows = np.repeat(np.arange(len(self)), np.asarray(times, dtype=np.intp))
        one, denominator = _units([weight])
        return replace(self.take(rows), weights=np.repeat(one, rows.size),
                       denominator=denominator)

    def count(self, *, eligible_weight: Any, rows: Any = None) -> Result:
        part = self if rows is None else self.take(rows)
        eligible = _check_turnout(part.weights, part.denominator, eligible_weight)
        return _count(part, eligible)


def prepare(
    *,
    method: str,
    options: Sequence[str],
    weights: Sequence[Weight] | np.ndarray,
    ballots: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any] | None,
) -> Prepared:
    """Validate and convert ballots (one weight each) for ``Prepared.count``.

    Raises what ``count()`` raises for the same ballots, except the eligible weight
    checks, which ``Prepared.count`` makes.
    """
    method, opts, p = _setup(method, options, params)
    ballot_list = list(ballots)
    wq, denominator = _units(weights)
    if wq.shape[0] != len(ballot_list):
        raise InvalidParams("There must be exactly one weight per ballot.")
    return _convert(Validator(method, opts, p), wq, denominator, ballot_list)


def prepare_codes(
    *,
    method: str,
    options: Sequence[str],
    weights: Sequence[Weight] | np.ndarray,
    codes: Any,
    sizes: Any,
    params: Mapping[str, Any] | None,
) -> Prepared:
    """``prepare()`` for ballots given by their codes (see ``codes``): ``codes`` one
    buffer of them all (bytes, or anything with the buffer protocol), ``sizes`` the
    number of bytes of each ballot, in order. No Python object per ballot.

    Gives exactly what ``prepare()`` gives for the ballots the codes stand for. Raises
    ``InvalidParams`` for a method without codes or codes that do not fit the buffer,
    ``InvalidBallot`` (with ``index``) for a code out of range, an option listed twice,
    too few or many approvals, or two codes on a yes/no or plurality ballot.
    """
    method, opts, p = _setup(method, options, params)
    if method not in coded.CODED_METHODS:
        raise InvalidParams(f"Ballots for {method} have no codes; count them from JSON.")
    names = coded.universe(method, opts)
    k = len(names)
    lengths, flat = coded.decode(codes, sizes, k)
    wq, denominator = _units(weights)
    if wq.shape[0] != lengths.shape[0]:
        raise InvalidParams("There must be exactly one weight per ballot.")
    out_of_range = flat >= k
    if out_of_range.any():
        row = int(np.searchsorted(np.cumsum(lengths), np.flatnonzero(out_of_range)[0],
                                  side="right"))
        raise coded.bad_codes(row, "a code that names no option.")
    converted: tuple[np.ndarray, ...]
    if method in (SCHULZE, IRV, APPROVAL):
        if method == APPROVAL:
            matrix, bad = approvals_from_flat(Validator(method, opts, p), lengths, flat)
        else:
            matrix, bad = ranks_from_flat(k, lengths, flat)
        if bad.any():
            raise coded.bad_codes(int(np.flatnonzero(bad)[0]),
                                  "an option listed twice, or too few or too many.")
        converted = (matrix,)
    else:  # one code or none: plurality and yes/no
        if (lengths > 1).any():
            raise coded.bad_codes(int(np.flatnonzero(lengths > 1)[0]), "more than one choice.")
        one = np.full(lengths.shape[0], -1, dtype=np.int32 if method == PLURALITY else np.int8)
        one[lengths == 1] = flat
        converted = (one,)
    return Prepared(method=method, options=opts, params=p, weights=wq, arrays=converted,
                    ballots=[], denominator=denominator)


def _setup(
    method: str, options: Sequence[str], params: Mapping[str, Any] | None
) -> tuple[str, list[str], dict[str, Any]]:
    method = check_method(method)
    opts = check_options(method, options)
    return method, opts, normalise_params(method, opts, params)


def _unpair(ballots: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    pairs = ballots if isinstance(ballots, list) else list(ballots)
    # Tuples and lists of two: split in two C passes; anything else is unpacked one by one.
    if set(map(type, pairs)) <= {tuple, list} and set(map(len, pairs)) <= {2}:
        return list(map(itemgetter(0), pairs)), list(map(itemgetter(1), pairs))
    try:
        return [weight for weight, _ in pairs], [ballot for _, ballot in pairs]
    except (TypeError, ValueError):
        raise InvalidParams("Ballots must be given as (weight, ballot) pairs.") from None


def _units(weights: Any) -> tuple[np.ndarray, int]:
    if isinstance(weights, np.ndarray) and weights.dtype.kind in "fiu":
        return to_units(weights)
    if isinstance(weights, np.ndarray):
        weights = weights.tolist()
    return to_units(list(weights))


def _check_turnout(wq: np.ndarray, denominator: int, eligible_weight: Any) -> Fraction:
    """The exact eligible weight, once checked that the ballots weigh no more.

    Compared exactly. Only a float eligible weight (a roll total the caller summed in
    floating point, which may come out a hair below the exact sum of its own weights)
    is allowed the error of such a sum, and then taken as the turnout it stands for.
    """
    eligible = exact(eligible_weight, "The eligible weight", limit=MAX_TOTAL)
    turnout = Fraction(int(wq.sum()), denominator) if wq.shape[0] else Fraction(0)
    if turnout > eligible and isinstance(eligible_weight, float | np.floating):
        if turnout - eligible <= turnout * (wq.shape[0] + 2) * Fraction(1, 2**52):
            return turnout
    if turnout > eligible:
        raise InvalidParams(
            f"The ballots weigh {to_text(turnout)} in total, more than the eligible weight "
            f"{to_text(eligible)}."
        )
    return eligible


def _convert(
    validate: Validator, wq: np.ndarray, denominator: int, ballots: list[Any]
) -> Prepared:
    """Validate the ballots and turn them into the method's arrays (InvalidBallot if one
    does not fit)."""
    method = validate.method
    kept: Sequence[Any] = []
    converted: tuple[np.ndarray, ...]
    if method in YES_NO_METHODS:
        converted = (choice_codes(validate, ballots),)
        kept = ballots if method in (CONSENT, CONSENSUS) else []
    elif method == PLURALITY:
        converted = (plurality_codes(validate, ballots),)
    elif method == APPROVAL:
        converted = (approval_matrix(validate, ballots),)
    elif method == SCORE:
        converted = score_matrix(validate, ballots)
    else:  # SCHULZE, IRV
        converted = (rank_matrix(validate, ballots),)
    return Prepared(method=method, options=validate.options, params=dict(validate.params),
                    weights=wq, arrays=converted, ballots=kept, denominator=denominator)


def _count(prepared: Prepared, eligible: Fraction) -> Result:
    method, opts, p, wq = prepared.method, prepared.options, prepared.params, prepared.weights
    turnout = _w(wq.sum() if len(prepared) else 0, prepared.denominator)
    quorum = _fraction(p["quorum"])
    quorum_met = turnout >= quorum * eligible if eligible else quorum == 0

    explanation: dict[str, Any] = {
        "method": method,
        "params": copy.deepcopy(p),
        "ballots": len(prepared),
        "turnout": {
            "weight": turnout,
            "eligible_weight": eligible,
            "share": round(float(turnout / eligible), 6) if eligible else None,
            "quorum": p["quorum"],
            "quorum_met": quorum_met,
        },
    }
    if method in YES_NO_METHODS:
        outcome, winners = _yes_no(prepared, explanation)
    else:
        explanation["options"] = list(opts)
        outcome, winners = _elect(prepared, explanation)

    if not quorum_met:
        # What the tally alone would have decided stays on the record, marked as such.
        explanation["without_quorum"] = {
            "outcome": outcome,
            "winners": winners,
            "why": explanation["why"],
        }
        outcome, winners = NO_QUORUM, []
        explanation["why"] = WHY_NO_QUORUM
    return Result(
        outcome=outcome,
        winners=winners,
        turnout_weight=turnout,
        eligible_weight=eligible,
        quorum_met=quorum_met,
        explanation=explanation,
    )


# --- yes/no methods -------------------------------------------------------------------


def _yes_no(prepared: Prepared, ex: dict[str, Any]) -> tuple[str, list[str]]:
    method, p, wq, ballots = prepared.method, prepared.params, prepared.weights, prepared.ballots
    choices = CHOICES[method]
    (codes,) = prepared.arrays
    d = prepared.denominator
    units, blank_units = arrays.counted(codes, wq, len(choices))
    tally = {choice: int(units[i]) for i, choice in enumerate(choices)}
    blank = int(blank_units)
    ex["choices"] = list(choices)
    ex["counts"] = {choice: _w(u, d) for choice, u in tally.items()}
    ex["blank_weight"] = _w(blank, d)

    if method in (MAJORITY, SUPERMAJORITY):
        yes, no = tally["yes"], tally["no"]
        t = _fraction(p["threshold"])
        ex["shares"] = {"yes": _share(yes, yes + no), "no": _share(no, yes + no)}
        ex["threshold"] = p["threshold"]
        if method == MAJORITY:
            ex["threshold_rule"] = "more_than"
            passed = yes * t.denominator > t.numerator * (yes + no)
        else:
            ex["threshold_rule"] = "at_least"
            passed = yes * t.denominator >= t.numerator * (yes + no)
        if yes + no == 0:
            passed, ex["why"] = False, WHY_NO_VOTES
        else:
            ex["why"] = WHY_THRESHOLD_MET if passed else WHY_THRESHOLD_NOT_MET
        return (PASSED if passed else REJECTED), []

    block = tally["block"]
    ex["block_reasons"] = _reasons(ballots, wq, "block")
    if method == CONSENT:
        ex["concern_reasons"] = _reasons(ballots, wq, "concern")
        ex["why"] = WHY_BLOCKED if block > 0 else WHY_NO_BLOCK
        return (REJECTED if block > 0 else PASSED), []

    agree, disagree = tally["agree"], tally["disagree"]
    turnout = int(wq.sum()) if len(prepared) else 0
    t = _fraction(p["threshold"])
    limit = _fraction(p["block_limit"])
    ex["shares"] = {
        "agree": _share(agree, agree + disagree),
        "disagree": _share(disagree, agree + disagree),
    }
    ex["block_share"] = _share(block, turnout)
    ex["threshold"] = p["threshold"]
    ex["threshold_rule"] = "at_least"
    ex["block_limit"] = p["block_limit"]
    ex["disagree_reasons"] = _reasons(ballots, wq, "disagree")
    blocked = block > 0 and block * limit.denominator >= limit.numerator * turnout
    if blocked:
        ex["why"] = WHY_BLOCKED
        return REJECTED, []
    if agree + disagree == 0:
        ex["why"] = WHY_NO_VOTES
        return REJECTED, []
    passed = agree * t.denominator >= t.numerator * (agree + disagree)
    ex["why"] = WHY_THRESHOLD_MET if passed else WHY_THRESHOLD_NOT_MET
    return (PASSED if passed else REJECTED), []


def _reasons(ballots: Sequence[Any], wq: np.ndarray, choice: str) -> list[str]:
    """The reasons given with a choice by ballots that carry weight, in sorted order.

    Sorted so that the explanation does not depend on the order ballots were cast in.
    """
    found = [
        ballot["reason"]
        for ballot, weight in zip(ballots, wq.tolist(), strict=True)
        if weight > 0 and ballot and ballot.get("choice") == choice and ballot.get("reason")
    ]
    return sorted(str(reason).strip() for reason in found)


# --- methods that elect an option -----------------------------------------------------


def _elect(prepared: Prepared, ex: dict[str, Any]) -> tuple[str, list[str]]:
    method, opts, p, wq = prepared.method, prepared.options, prepared.params, prepared.weights
    d = prepared.denominator
    k = len(opts)
    lot = lot_order(p["seed"], opts) if p["tie_break"] == LOT else None

    def total(mask: Any) -> int:
        return int(wq[mask].sum()) if mask.any() else 0

    def exact_counts(totals: np.ndarray) -> dict[str, Fraction]:
        return {o: _w(t, d) for o, t in zip(opts, totals.tolist(), strict=True)}

    if method == IRV:
        (ranks,) = prepared.arrays
        lot_indices = [opts.index(o) for o in lot] if lot else None
        tally = arrays.irv_units(ranks, wq, d, lot_order=lot_indices,
                                 any_order=not prepared.legacy)
        return _irv(opts, tally, p, lot, ex, legacy=prepared.legacy)

    if method == PLURALITY:
        (codes,) = prepared.arrays
        totals, _blank = arrays.counted(codes, wq, k)
        counted = total(codes >= 0)
        ex["counts"] = exact_counts(totals)
        ex["shares"] = {
            o: _share(t, counted) for o, t in zip(opts, totals.tolist(), strict=True)
        }
        why = WHY_MOST
    elif method == APPROVAL:
        (approvals,) = prepared.arrays
        totals = arrays.column_sums(approvals, wq)
        counted = total(approvals.any(axis=1))
        ex["counts"] = exact_counts(totals)
        # The share of the (non-blank) voting weight that approves each option.
        ex["shares"] = {
            o: _share(t, counted) for o, t in zip(opts, totals.tolist(), strict=True)
        }
        why = WHY_MOST
    elif method == SCORE:
        scores, scored = prepared.arrays
        totals = arrays.column_sums(scores, wq)
        counted = total(scored)
        ex["max_score"] = MAX_SCORE
        ex["counts"] = exact_counts(totals)
        ex["averages"] = {
            o: _share(t, counted) for o, t in zip(opts, totals.tolist(), strict=True)
        }
        why = WHY_MOST
    else:  # SCHULZE
        (ranks,) = prepared.arrays
        paths = arrays.schulze_units(ranks, wq, d)
        counted = total((ranks < k).any(axis=1))
        ex["pairwise"], ex["strongest_paths"] = _matrices(
            d, paths.pairwise.tolist(), paths.paths.tolist())
        ex["wins"] = dict(zip(opts, paths.wins.tolist(), strict=True))
        ex["condorcet_winner"] = (
            opts[paths.condorcet_winner] if paths.condorcet_winner is not None else None
        )
        best = paths.winners
        why = WHY_SCHULZE
    if method != SCHULZE:
        best = np.flatnonzero(totals == totals.max()).tolist()
    ex["counted_weight"] = _w(counted, d)
    ex["blank_weight"] = _w((int(wq.sum()) if len(prepared) else 0) - counted, d)
    return _decide([opts[i] for i in best], counted > 0, why, p, lot, ex)


def _decide(
    best: list[str],
    anything_counted: bool,
    why: str,
    p: Mapping[str, Any],
    lot: list[str] | None,
    ex: dict[str, Any],
) -> tuple[str, list[str]]:
    ex["tie"] = None
    if not anything_counted:
        ex["why"] = WHY_NOTHING
        return NO_DECISION, []
    if len(best) == 1:
        ex["why"] = why
        return ELECTED, best
    tie: dict[str, Any] = {"between": best, "rule": p["tie_break"], "chosen": None}
    ex["tie"] = tie
    if lot is None:
        ex["why"] = WHY_TIE
        return NO_DECISION, []
    tie["seed"] = p["seed"]
    tie["lot_order"] = [o for o in lot if o in best]
    tie["chosen"] = tie["lot_order"][0]
    ex["why"] = WHY_TIE_LOT
    return ELECTED, [tie["chosen"]]


def _irv(
    opts: list[str],
    tally: arrays.IRVTally,
    p: Mapping[str, Any],
    lot: list[str] | None,
    ex: dict[str, Any],
    *,
    legacy: bool = False,
) -> tuple[str, list[str]]:
    rounds: list[dict[str, Any]] = []
    d = tally.denominator
    for number, rnd in enumerate(tally.rounds, start=1):
        alive = np.flatnonzero(rnd.continuing).tolist()
        entry: dict[str, Any] = {
            "round": number,
            "counts": {opts[i]: _w(rnd.counts[i], d) for i in alive},
            "shares": {opts[i]: _share(rnd.counts[i], rnd.total) for i in alive},
            "continuing_weight": _w(rnd.total, d),
            "exhausted": _w(rnd.exhausted, d),
            "eliminated": [opts[i] for i in rnd.eliminated],
            "elected": opts[rnd.elected] if rnd.elected is not None else None,
            "tie": None,
        }
        if rnd.tie is not None:
            entry["tie"] = {
                "kind": rnd.tie["kind"],
                "between": [opts[i] for i in rnd.tie["between"]],
                "resolved_by": rnd.tie["resolved_by"],
            }
        rounds.append(entry)
    ex["rounds"] = rounds
    ex["counted_weight"] = rounds[0]["continuing_weight"]
    ex["blank_weight"] = _w(tally.blank, d)
    # The tie rules, in the order they apply (see arrays.irv_units).
    ex["elimination_ties"] = [
        arrays.TIE_TOGETHER, arrays.TIE_EARLIER_ROUNDS,
        *([] if legacy else [arrays.TIE_ANY_ORDER]), p["tie_break"],
    ]
    deciding = [r["round"] for r in rounds if r["tie"] and r["tie"]["resolved_by"] in (None, LOT)]
    ex["tie"] = None
    if deciding:
        ex["tie"] = {"rounds": deciding, "rule": p["tie_break"]}
        if lot:
            ex["tie"]["seed"] = p["seed"]
            ex["tie"]["lot_order"] = lot
    if tally.winner is None:
        ex["why"] = WHY_NOTHING if tally.undecided == "nothing_to_count" else WHY_TIE
        return NO_DECISION, []
    last_tie = rounds[-1]["tie"]
    ex["why"] = WHY_TIE_LOT if last_tie and last_tie["kind"] == "win" else WHY_IRV_MAJORITY
    return ELECTED, [opts[tally.winner]]
