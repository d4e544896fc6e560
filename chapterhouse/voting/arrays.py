"""Array-level tallies: numpy in, numpy out, no Python object per ballot.

Inputs (n ballots, k options):

- ``weights``: (n,) non-negative weights, read exactly (see ``weights``): each becomes
  a whole number of units of 1/D, D their common denominator, so every tally is an
  exact sum of whole numbers: the result never depends on the order of the ballots or
  on float noise (0.1 + 0.2 ties 0.3, 2/3 ties 1/3 + 1/3). The ``*_units`` kernels take
  those units directly (a float64 array of whole numbers whose sums stay exact, or an
  array of Python ints), as ``count()`` does.
- ``ranks``: integer array (n, k); ``ranks[i, j]`` is the position (0 = first choice)
  of option j on ballot i, and ``k`` means "not ranked". Positions on one ballot are
  distinct and start at 0. Unranked options share the bottom place.
- ``approvals``: bool array (n, k); ``scores``: int8 array (n, k) (0..5);
  ``choices``: int array (n,) of option indices, -1 for a blank ballot.

The public tallies come back as float arrays in weight units (for display and
benchmarks); who wins is always decided on the exact units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InvalidParams
from .weights import to_units

_CHUNK = 1 << 13  # 8192 rows: the n×k temporaries stay in cache (16x faster than 65536)


def units_of(weights: Any, n: int | None = None) -> tuple[np.ndarray, int]:
    """(units, D) for ``weights``; refuses negative, non-finite or mis-sized ones."""
    wq, denominator = to_units(np.asarray(weights) if not isinstance(weights, list) else weights)
    if wq.ndim != 1 or (n is not None and wq.shape[0] != n):
        raise InvalidParams("There must be exactly one weight per ballot.")
    return wq, denominator


def to_weight(units: Any, denominator: int) -> Any:
    """Units back to weight (float or float array, for display)."""
    return np.asarray(units, dtype=np.float64) / denominator


def bincount(codes: np.ndarray, wq: np.ndarray, m: int) -> np.ndarray:
    """Σ of wq per code 0..m-1 (codes >= 0), exact for either kind of unit array."""
    if wq.dtype != object:
        return np.bincount(codes.astype(np.intp), weights=wq, minlength=m)
    out = np.zeros(m, dtype=object)
    out[:] = 0
    np.add.at(out, codes.astype(np.intp), wq)
    return out


def counted(codes: np.ndarray, wq: np.ndarray, m: int) -> tuple[np.ndarray, Any]:
    """(Σ of wq per code 0..m-1, Σ of wq of the codes < 0: the blank ballots), in one
    bincount of the codes moved up by one, blanks in a bin of their own (no masked
    copies of the codes and weights)."""
    shifted = codes.astype(np.intp)
    np.maximum(shifted, -1, out=shifted)
    shifted += 1
    bins = bincount(shifted, wq, m + 1)
    return bins[1:], bins[0]


def _check_matrix(matrix: Any, name: str) -> np.ndarray:
    m = np.asarray(matrix)
    if m.ndim != 2:
        raise InvalidParams(f"{name} must be a 2-dimensional array (ballots × options).")
    return m


def column_sums(matrix: np.ndarray, wq: np.ndarray) -> np.ndarray:
    """Σ_i wq[i] * matrix[i, :], in chunks so no n×k float copy is made at once."""
    if wq.dtype == object:
        out = np.zeros(matrix.shape[1], dtype=object)
        out[:] = 0
        for start in range(0, matrix.shape[0], _CHUNK):
            out = out + wq[start : start + _CHUNK].dot(
                matrix[start : start + _CHUNK].astype(np.int64).astype(object))
        return out
    out = np.zeros(matrix.shape[1], dtype=np.float64)
    for start in range(0, matrix.shape[0], _CHUNK):
        out += wq[start : start + _CHUNK] @ matrix[start : start + _CHUNK]
    return out


def tally_choices(choices: Any, weights: Any, m: int) -> np.ndarray:
    """Weight per choice 0..m-1 (plurality, yes/no); entries < 0 are blank and not counted."""
    c = np.asarray(choices)
    wq, denominator = units_of(weights, c.shape[0])
    return to_weight(counted(c, wq, m)[0], denominator)  # type: ignore[no-any-return]


def plurality(choices: Any, weights: Any, k: int) -> np.ndarray:
    """Weight of the ballots choosing each option."""
    return tally_choices(choices, weights, k)


def approval(approvals: Any, weights: Any) -> np.ndarray:
    """Weight of the ballots approving each option."""
    a = _check_matrix(approvals, "approvals").astype(bool, copy=False)
    wq, denominator = units_of(weights, a.shape[0])
    return to_weight(column_sums(a, wq), denominator)  # type: ignore[no-any-return]


def score(scores: Any, weights: Any) -> np.ndarray:
    """Weighted sum of the scores given to each option."""
    s = _check_matrix(scores, "scores")
    wq, denominator = units_of(weights, s.shape[0])
    return to_weight(column_sums(s, wq), denominator)  # type: ignore[no-any-return]


def pairwise(ranks: Any, weights: Any) -> np.ndarray:
    """The weighted pairwise matrix: ``d[a, b]`` = weight of ballots ranking a above b.

    One comparison of a column against the whole (chunked) rank matrix per option:
    k vectorised passes, never a loop over ballots.
    """
    r = _check_matrix(ranks, "ranks")
    wq, denominator = units_of(weights, r.shape[0])
    return to_weight(pairwise_units(r, wq), denominator)  # type: ignore[no-any-return]


def pairwise_units(r: np.ndarray, wq: np.ndarray) -> np.ndarray:
    n, k = r.shape
    if wq.dtype == object:
        d = np.zeros((k, k), dtype=object)
        d[:] = 0
        for a in range(k):
            d[a] = column_sums(r[:, a, None] < r, wq)
        return d
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
    d = np.asarray(d)
    if d.dtype != object:
        d = d.astype(np.float64)
    p = np.where(d > d.T, d, 0)
    for via in range(p.shape[0]):
        np.maximum(p, np.minimum(p[:, via, None], p[None, via, :]), out=p)
    np.fill_diagonal(p, 0)
    return p


@dataclass
class SchulzeTally:
    pairwise: np.ndarray  # (k, k) units of 1/denominator
    paths: np.ndarray  # (k, k) units of 1/denominator
    winners: list[int]  # options no other option beats by strongest paths (a tie if > 1)
    wins: np.ndarray  # (k,) how many options each option beats by strongest paths
    condorcet_winner: int | None  # beats every other option head to head, if any
    denominator: int = 1


def schulze(ranks: Any, weights: Any) -> SchulzeTally:
    r = _check_matrix(ranks, "ranks")
    wq, denominator = units_of(weights, r.shape[0])
    return schulze_units(r, wq, denominator)


def schulze_units(r: np.ndarray, wq: np.ndarray, denominator: int) -> SchulzeTally:
    """Schulze on exact units; ``pairwise`` and ``paths`` stay in units."""
    d_units = pairwise_units(r, wq)
    p_units = strongest_paths(d_units)
    beats = p_units > p_units.T
    winners = np.flatnonzero(~beats.any(axis=0)).tolist()
    k = r.shape[1]
    head_to_head = d_units > d_units.T
    condorcet = np.flatnonzero(head_to_head.sum(axis=1) == k - 1)
    return SchulzeTally(
        pairwise=d_units,
        paths=p_units,
        denominator=denominator,
        winners=winners,
        wins=beats.sum(axis=1),
        condorcet_winner=int(condorcet[0]) if condorcet.size else None,
    )


# --- instant-runoff -------------------------------------------------------------------

TIE_TOGETHER = "together"
TIE_EARLIER_ROUNDS = "earlier_rounds"
TIE_ANY_ORDER = "any_order"
TIE_LOT = "lot"
#: How many elimination orders ``any_order`` may follow before it gives up (the count
#: then goes on to the chapter's tie rule); ties that need more are vanishingly rare.
ANY_ORDER_BUDGET = 200


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
    counts: np.ndarray  # (k,) weight per option in units (0 for options already eliminated)
    continuing: np.ndarray  # (k,) bool: still in the count this round
    total: Any  # units of the ballots counting for a continuing option
    exhausted: Any  # units of non-blank ballots with no continuing option left
    eliminated: list[int] = field(default_factory=list)
    elected: int | None = None
    # {"kind": "elimination" | "win", "between": [i, ...], "resolved_by": str | None}
    tie: dict[str, Any] | None = None


@dataclass
class IRVTally:
    rounds: list[IRVRound]
    winner: int | None
    blank: Any  # units of ballots that rank nothing
    undecided: str | None = None  # "nothing_to_count" | "tie" when there is no winner
    denominator: int = 1  # counts, totals and blank are in units of 1/denominator


def irv(ranks: Any, weights: Any, *, lot_order: Sequence[int] | None = None) -> IRVTally:
    """Instant-runoff with deterministic tie rules (see ``irv_units``)."""
    r = _check_matrix(ranks, "ranks")
    wq, denominator = units_of(weights, r.shape[0])
    return irv_units(r, wq, denominator, lot_order=lot_order)


class _Budget(Exception):
    """The any-order search went past ANY_ORDER_BUDGET."""


class _Runner:
    """Counts from any set of continuing options (for the any-order search)."""

    def __init__(self, r: np.ndarray, wq: np.ndarray) -> None:
        self.r, self.wq = r, wq
        self.k = r.shape[1]
        self.memo: dict[bytes, frozenset[int]] = {}
        self.steps = 0

    def counts(self, continuing: np.ndarray) -> np.ndarray:
        top = _top_choice(self.r, continuing)
        return bincount(top, self.wq, self.k + 1)[: self.k]

    def winners(self, continuing: np.ndarray) -> frozenset[int]:
        """Every option some order of eliminating tied-last options elects (-1: none)."""
        key = continuing.tobytes()
        if key in self.memo:
            return self.memo[key]
        self.steps += 1
        if self.steps > ANY_ORDER_BUDGET:
            raise _Budget
        counts = self.counts(continuing)
        alive = np.flatnonzero(continuing)
        total = counts[alive].sum()
        found: frozenset[int]
        if total == 0:
            found = frozenset({-1})
        else:
            top = int(alive[np.argmax(counts[alive])])
            if 2 * counts[top] > total:
                found = frozenset({top})
            else:
                low = counts[alive].min()
                tied = alive[counts[alive] == low]
                if tied.size == alive.size:  # all tied: a tie for the win
                    found = frozenset({-1})
                else:
                    found = frozenset()
                    for option in tied.tolist():
                        after = continuing.copy()
                        after[option] = False
                        found |= self.winners(after)
        self.memo[key] = found
        return found


def irv_units(
    r: np.ndarray, wq: np.ndarray, denominator: int = 1, *,
    lot_order: Sequence[int] | None = None, any_order: bool = True,
) -> IRVTally:
    """Instant-runoff with deterministic tie rules, on exact units.

    Each round every ballot counts for its highest-ranked continuing option. An option
    with MORE than half of the continuing weight is elected. Otherwise the option with
    the least weight is eliminated; when several share the least weight:

    1. ``together``: if together they have less than every other continuing option, all
       of them are eliminated at once (the order could not change anything; this is how
       options nobody chose leave);
    2. else, when they are the only two options left, it is a tie for the win: the
       first of them in ``lot_order`` wins, or without a lot order there is no winner;
    3. ``earlier_rounds``: else the one with the least weight in the most recent earlier
       round where they differed is eliminated;
    4. ``any_order``: else, when every order of eliminating the tied options (and the
       ties that follow) elects the same option, the tie cannot change who wins: the
       tied option that comes last in the options is eliminated;
    5. ``lot``: else the last of them in ``lot_order`` is eliminated, or without a lot
       order the count stops with no winner.
    """
    n, k = r.shape
    current = _top_choice(r, np.ones(k, dtype=bool))
    zero = wq[:0].sum()  # 0 of the units' kind
    blank_units = wq[current == k].sum() if n else zero
    continuing = np.ones(k, dtype=bool)
    lot_place = {option: place for place, option in enumerate(lot_order)} if lot_order else None
    rounds: list[IRVRound] = []
    history: list[np.ndarray] = []  # counts in units, per round
    runner: _Runner | None = None

    def tally(winner: int | None, undecided: str | None = None) -> IRVTally:
        return IRVTally(rounds, winner, blank_units, undecided, denominator)

    while True:
        units = bincount(current, wq, k + 1)
        counts = units[:k]
        alive = np.flatnonzero(continuing)
        total = counts[alive].sum()
        history.append(counts)
        rnd = IRVRound(
            counts=counts,
            continuing=continuing.copy(),
            total=total,
            exhausted=units[k] - blank_units,
        )
        rounds.append(rnd)
        if total == 0:
            return tally(None, "nothing_to_count")
        top = int(alive[np.argmax(counts[alive])])
        if 2 * counts[top] > total:
            rnd.elected = top
            return tally(top)

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
                return tally(None, "tie")
            rnd.tie["resolved_by"] = TIE_LOT
            rnd.elected = min(tied.tolist(), key=lot_place.__getitem__)
            return tally(rnd.elected)
        else:
            rnd.tie = {"kind": "elimination", "between": tied.tolist(), "resolved_by": None}
            candidates = tied
            for earlier in reversed(history[:-1]):
                values = earlier[candidates]
                candidates = candidates[values == values.min()]
                if candidates.size == 1:
                    break
            same: frozenset[int] = frozenset()
            if candidates.size != 1 and any_order:
                runner = runner or _Runner(r, wq)
                try:
                    same = runner.winners(continuing)
                except _Budget:
                    same = frozenset()
            if candidates.size == 1:
                rnd.tie["resolved_by"] = TIE_EARLIER_ROUNDS
                eliminated = [int(candidates[0])]
            elif len(same) == 1 and -1 not in same:
                rnd.tie["resolved_by"] = TIE_ANY_ORDER
                eliminated = [int(tied[-1])]
            elif lot_place is not None:
                rnd.tie["resolved_by"] = TIE_LOT
                eliminated = [max(candidates.tolist(), key=lot_place.__getitem__)]
            else:
                return tally(None, "tie")

        rnd.eliminated = eliminated
        continuing[eliminated] = False
        # Only the ballots sitting on an eliminated option move (to their next choice).
        usable = np.append(continuing, True)  # index k = exhausted, which stays put
        moving = np.flatnonzero(~usable[current])
        current[moving] = _top_choice(r[moving], continuing)
