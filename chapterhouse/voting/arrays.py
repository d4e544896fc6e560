"""Array-level tallies: numpy in, numpy out, no Python object per ballot.

Inputs (n ballots, k options):

- ``weights``: float array (n,), non-negative and finite. Weights are counted in
  millionths (each is rounded to 6 decimal places), so every tally is an exact sum
  of whole numbers: the result never depends on the order of the ballots or on float
  noise (0.1 + 0.2 ties 0.3).
- ``ranks``: integer array (n, k); ``ranks[i, j]`` is the position (0 = first choice)
  of option j on ballot i, and ``k`` means "not ranked". Positions on one ballot are
  distinct and start at 0. Unranked options share the bottom place.
- ``approvals``: bool array (n, k); ``scores``: int8 array (n, k) (0..5);
  ``choices``: int array (n,) of option indices, -1 for a blank ballot.

Tallies come back as float arrays in weight units (exact multiples of 1e-6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InvalidParams

UNITS = 1_000_000
_CHUNK = 1 << 13  # 8192 rows: the n×k temporaries stay in cache (16x faster than 65536)


def quantise(weights: Any, n: int | None = None) -> np.ndarray:
    """Weights as float64 whole numbers of millionths; refuses negative or non-finite ones."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or (n is not None and w.shape[0] != n):
        raise InvalidParams("There must be exactly one weight per ballot.")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InvalidParams("Weights must be finite numbers of at least 0.")
    return np.rint(w * UNITS)


def to_weight(units: Any) -> Any:
    """Millionths back to weight units (float or float array)."""
    return np.asarray(units, dtype=np.float64) / UNITS


def _to_weights(units: np.ndarray) -> np.ndarray:
    """to_weight of an array, typed as the array it is."""
    weights: np.ndarray = to_weight(units)
    return weights


def _check_matrix(matrix: Any, name: str) -> np.ndarray:
    m = np.asarray(matrix)
    if m.ndim != 2:
        raise InvalidParams(f"{name} must be a 2-dimensional array (ballots × options).")
    return m


def _column_sums(matrix: np.ndarray, wq: np.ndarray) -> np.ndarray:
    """Σ_i wq[i] * matrix[i, :], in chunks so no n×k float copy is made at once."""
    out = np.zeros(matrix.shape[1], dtype=np.float64)
    for start in range(0, matrix.shape[0], _CHUNK):
        out += wq[start : start + _CHUNK] @ matrix[start : start + _CHUNK]
    return out


def tally_choices(choices: Any, weights: Any, m: int) -> np.ndarray:
    """Weight per choice 0..m-1 (plurality, yes/no); entries < 0 are blank and not counted."""
    c = np.asarray(choices)
    wq = quantise(weights, c.shape[0])
    counted = c >= 0
    return _to_weights(np.bincount(c[counted].astype(np.intp), weights=wq[counted], minlength=m))


def plurality(choices: Any, weights: Any, k: int) -> np.ndarray:
    """Weight of the ballots choosing each option."""
    return tally_choices(choices, weights, k)


def approval(approvals: Any, weights: Any) -> np.ndarray:
    """Weight of the ballots approving each option."""
    a = _check_matrix(approvals, "approvals").astype(bool, copy=False)
    return _to_weights(_column_sums(a, quantise(weights, a.shape[0])))


def score(scores: Any, weights: Any) -> np.ndarray:
    """Weighted sum of the scores given to each option."""
    s = _check_matrix(scores, "scores")
    return _to_weights(_column_sums(s, quantise(weights, s.shape[0])))


def pairwise(ranks: Any, weights: Any) -> np.ndarray:
    """The weighted pairwise matrix: ``d[a, b]`` = weight of ballots ranking a above b.

    One comparison of a column against the whole (chunked) rank matrix per option:
    k vectorised passes, never a loop over ballots.
    """
    r = _check_matrix(ranks, "ranks")
    return _to_weights(_pairwise_units(r, quantise(weights, r.shape[0])))


def _pairwise_units(r: np.ndarray, wq: np.ndarray) -> np.ndarray:
    n, k = r.shape
    d = np.zeros((k, k), dtype=np.float64)
    for start in range(0, n, _CHUNK):
        block = r[start : start + _CHUNK]
        wblock = wq[start : start + _CHUNK]
        for a in range(k):
            d[a] += wblock @ (block[:, a, None] < block)
    return d


def strongest_paths(d: Any) -> np.ndarray:
    """Schulze's strongest-path strengths (winning votes), by Floyd–Warshall in numpy.

    A direct link a→b has the strength d[a, b] when d[a, b] > d[b, a], else 0; a path
    is as strong as its weakest link; p[a, b] is the strongest path from a to b.
    """
    d = np.asarray(d, dtype=np.float64)
    p = np.where(d > d.T, d, 0.0)
    for via in range(p.shape[0]):
        np.maximum(p, np.minimum(p[:, via, None], p[None, via, :]), out=p)
    np.fill_diagonal(p, 0.0)
    return p


@dataclass
class SchulzeTally:
    pairwise: np.ndarray  # (k, k) weight units
    paths: np.ndarray  # (k, k) weight units
    winners: list[int]  # options no other option beats by strongest paths (a tie if > 1)
    wins: np.ndarray  # (k,) how many options each option beats by strongest paths
    condorcet_winner: int | None  # beats every other option head to head, if any


def schulze(ranks: Any, weights: Any) -> SchulzeTally:
    r = _check_matrix(ranks, "ranks")
    d_units = _pairwise_units(r, quantise(weights, r.shape[0]))
    p_units = strongest_paths(d_units)
    beats = p_units > p_units.T
    winners = np.flatnonzero(~beats.any(axis=0)).tolist()
    k = r.shape[1]
    head_to_head = d_units > d_units.T
    condorcet = np.flatnonzero(head_to_head.sum(axis=1) == k - 1)
    return SchulzeTally(
        pairwise=to_weight(d_units),
        paths=to_weight(p_units),
        winners=winners,
        wins=beats.sum(axis=1),
        condorcet_winner=int(condorcet[0]) if condorcet.size else None,
    )


# --- instant-runoff -------------------------------------------------------------------

TIE_TOGETHER = "together"
TIE_EARLIER_ROUNDS = "earlier_rounds"
TIE_LOT = "lot"


def _top_choice(r: np.ndarray, continuing: np.ndarray) -> np.ndarray:
    """Each ballot's highest-ranked continuing option, or k when it has none."""
    k = r.shape[1]
    masked = np.where(continuing, r, k)
    best: np.ndarray = masked.argmin(axis=1)
    exhausted = np.take_along_axis(masked, best[:, None], axis=1)[:, 0] == k
    best[exhausted] = k
    return best


@dataclass
class IRVRound:
    counts: np.ndarray  # (k,) weight per option (0 for options already eliminated)
    continuing: np.ndarray  # (k,) bool: still in the count this round
    total: float  # weight of the ballots counting for a continuing option
    exhausted: float  # weight of non-blank ballots with no continuing option left
    eliminated: list[int] = field(default_factory=list)
    elected: int | None = None
    # {"kind": "elimination" | "win", "between": [i, ...], "resolved_by": str | None}
    tie: dict[str, Any] | None = None


@dataclass
class IRVTally:
    rounds: list[IRVRound]
    winner: int | None
    blank: float  # weight of ballots that rank nothing
    undecided: str | None = None  # "nothing_to_count" | "tie" when there is no winner


def irv(ranks: Any, weights: Any, *, lot_order: Sequence[int] | None = None) -> IRVTally:
    """Instant-runoff with deterministic tie rules.

    Each round every ballot counts for its highest-ranked continuing option. An option
    with MORE than half of the continuing weight is elected. Otherwise the option with
    the least weight is eliminated; when several share the least weight:

    1. if together they have less than every other continuing option, all of them are
       eliminated at once (the order could not change anything; this is how options
       nobody chose leave);
    2. else, when they are the only two options left, it is a tie for the win: the
       first of them in ``lot_order`` wins, or without a lot order there is no winner;
    3. else the one with the least weight in the previous round is eliminated, going
       back a round at a time while they stay tied ("earlier rounds");
    4. else the last of them in ``lot_order`` is eliminated, or without a lot order the
       count stops with no winner.
    """
    r = _check_matrix(ranks, "ranks")
    n, k = r.shape
    wq = quantise(weights, n)
    current = _top_choice(r, np.ones(k, dtype=bool))
    blank_units = float(wq[current == k].sum())
    continuing = np.ones(k, dtype=bool)
    lot_place = {option: place for place, option in enumerate(lot_order)} if lot_order else None
    rounds: list[IRVRound] = []
    history: list[np.ndarray] = []  # counts in units, per round

    while True:
        units = np.bincount(current, weights=wq, minlength=k + 1)
        counts = units[:k]
        alive = np.flatnonzero(continuing)
        total = float(counts[alive].sum())
        history.append(counts)
        rnd = IRVRound(
            counts=to_weight(counts),
            continuing=continuing.copy(),
            total=float(to_weight(total)),
            exhausted=float(to_weight(units[k] - blank_units)),
        )
        rounds.append(rnd)
        if total == 0:
            return IRVTally(rounds, None, float(to_weight(blank_units)), "nothing_to_count")
        top = int(alive[np.argmax(counts[alive])])
        if 2 * counts[top] > total:
            rnd.elected = top
            return IRVTally(rounds, top, float(to_weight(blank_units)))

        low = counts[alive].min()
        tied = alive[counts[alive] == low]
        above = counts[alive][counts[alive] > low]
        eliminated: list[int]
        if tied.size == 1:
            eliminated = [int(tied[0])]
        elif above.size and low * tied.size < above.min():
            eliminated = tied.tolist()
            rnd.tie = {"kind": "elimination", "between": tied.tolist(), "resolved_by": TIE_TOGETHER}
        elif tied.size == 2 and alive.size == 2:
            rnd.tie = {"kind": "win", "between": tied.tolist(), "resolved_by": None}
            if lot_place is None:
                return IRVTally(rounds, None, float(to_weight(blank_units)), "tie")
            rnd.tie["resolved_by"] = TIE_LOT
            rnd.elected = min(tied.tolist(), key=lot_place.__getitem__)
            return IRVTally(rounds, rnd.elected, float(to_weight(blank_units)))
        else:
            rnd.tie = {"kind": "elimination", "between": tied.tolist(), "resolved_by": None}
            candidates = tied
            for earlier in reversed(history[:-1]):
                values = earlier[candidates]
                candidates = candidates[values == values.min()]
                if candidates.size == 1:
                    break
            if candidates.size == 1:
                rnd.tie["resolved_by"] = TIE_EARLIER_ROUNDS
                eliminated = [int(candidates[0])]
            elif lot_place is not None:
                rnd.tie["resolved_by"] = TIE_LOT
                eliminated = [max(candidates.tolist(), key=lot_place.__getitem__)]
            else:
                return IRVTally(rounds, None, float(to_weight(blank_units)), "tie")

        rnd.eliminated = eliminated
        continuing[eliminated] = False
        # Only the ballots sitting on an eliminated option move (to their next choice).
        usable = np.append(continuing, True)  # index k = exhausted, which stays put
        moving = np.flatnonzero(~usable[current])
        current[moving] = _top_choice(r[moving], continuing)
