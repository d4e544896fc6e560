"""Micro-benchmark of the vectorised tallies (not part of the test suite).

    .venv/bin/python bench/voting/bench_tallies.py [--ballots 1000000] [--options 15]
        [--reference-ballots 20000] [--repeat 3] [--seed 7]

1. Times ``chapterhouse.voting.arrays.schulze`` and ``arrays.irv`` on N weighted random
   partial rankings of K options (the arrays are built once, outside the timing), and
   ``count()`` end to end from ballot dicts (validation + conversion + tally).
2. On a smaller election, runs ours and the reference side by side (A, B, A, B…):
   votelib's Schulze (RankedToCondorcetVotes + Schulze, weighted counts) and
   pyrankvote's instant_runoff_voting (unweighted: it has no weights, so we count the
   same ballots with weight 1), checks that the winners agree, and prints the ratios.
Times are medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from chapterhouse.voting import arrays, count


def random_ranks(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Random partial rankings (1..k options ranked), as a position matrix."""
    order = np.argsort(rng.random((n, k)), axis=1)
    ranks = np.empty((n, k), dtype=np.int8)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(k, dtype=np.int8), (n, k)), axis=1)
    lengths = rng.integers(1, k + 1, n)
    ranks[ranks >= lengths[:, None]] = k
    return ranks


def rankings(ranks: np.ndarray, options: list[str]) -> list[list[str]]:
    k = ranks.shape[1]
    order = np.argsort(ranks, axis=1, kind="stable")
    lengths = (ranks < k).sum(axis=1)
    return [
        [options[j] for j in row[:m]]
        for row, m in zip(order.tolist(), lengths.tolist(), strict=True)
    ]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def side_by_side(
    a: Callable[[], Any], b: Callable[[], Any], repeat: int
) -> tuple[float, float, Any, Any]:
    ta: list[float] = []
    tb: list[float] = []
    out_a = out_b = None
    for _ in range(repeat):
        t, out_a = timed(a)
        ta.append(t)
        t, out_b = timed(b)
        tb.append(t)
    return statistics.median(ta), statistics.median(tb), out_a, out_b


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--options", type=int, default=15)
    parser.add_argument("--reference-ballots", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-count", action="store_true", help="skip the end-to-end count()")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n, k = args.ballots, args.options
    options = [f"o{j}" for j in range(k)]

    ranks = random_ranks(rng, n, k)
    weights = rng.choice(np.array([0.5, 1.0, 1.0, 1.0, 2.0, 3.0]), n)
    print(f"== ours, {n:,} weighted ballots × {k} options (median of {args.repeat})")
    for name, fn in (
        ("schulze", lambda: arrays.schulze(ranks, weights)),
        ("irv", lambda: arrays.irv(ranks, weights)),
        ("pairwise matrix only", lambda: arrays.pairwise(ranks, weights)),
    ):
        times = [timed(fn)[0] for _ in range(args.repeat)]
        runs = ", ".join(f"{t:.3f}" for t in times)
        print(f"  {name:22s} {statistics.median(times):7.3f} s   (runs: {runs})")
    if not args.skip_count:
        ballots = [
            (float(w), {"ranking": r})
            for w, r in zip(weights.tolist(), rankings(ranks, options), strict=True)
        ]
        for method in ("schulze", "irv"):
            t, _ = timed(
                functools.partial(
                    count, method=method, options=options, ballots=ballots, params={},
                    eligible_weight=float(weights.sum()),
                )
            )
            print(f"  count({method!r}) from dicts  {t:7.3f} s   (validation + conversion + tally)")
        del ballots

    import pyrankvote
    import votelib.convert
    import votelib.evaluate.condorcet

    m = args.reference_ballots
    small, small_w = ranks[:m], weights[:m]
    small_rankings = rankings(small, options)
    print(
        f"\n== side by side, {m:,} ballots × {k} options (median of {args.repeat}, A/B interleaved)"
    )

    votes: dict[tuple[str, ...], float] = {}
    for ranking, w in zip(small_rankings, small_w.tolist(), strict=True):
        votes[tuple(ranking)] = votes.get(tuple(ranking), 0.0) + w

    def votelib_schulze() -> Any:
        pairs = votelib.convert.RankedToCondorcetVotes().convert(votes)
        return votelib.evaluate.condorcet.Schulze().evaluate(pairs, 1)

    ours_t, ref_t, ours, ref = side_by_side(
        lambda: arrays.schulze(small, small_w), votelib_schulze, args.repeat
    )
    agree = [options[i] for i in ours.winners] == [str(c) for c in ref] or set(ref[0]) == {
        options[i] for i in ours.winners
    }
    print(
        f"  schulze: ours {ours_t:.4f} s, votelib {ref_t:.3f} s, "
        f"ratio {ref_t / ours_t:,.0f}× faster; winners agree: {agree}"
    )

    candidates = {o: pyrankvote.Candidate(o) for o in options}
    pr_ballots = [pyrankvote.Ballot([candidates[o] for o in r]) for r in small_rankings]
    ones = np.ones(m)

    def pyrankvote_irv() -> Any:
        return pyrankvote.instant_runoff_voting(list(candidates.values()), pr_ballots)

    ours_t, ref_t, ours, ref = side_by_side(
        lambda: arrays.irv(small, ones), pyrankvote_irv, args.repeat
    )
    ref_winner = [c.name for c in ref.get_winners()]
    agree = ours.winner is not None and ref_winner == [options[ours.winner]]
    print(
        f"  irv:     ours {ours_t:.4f} s, pyrankvote {ref_t:.3f} s, "
        f"ratio {ref_t / ours_t:,.0f}× faster; winners agree: {agree}"
    )


if __name__ == "__main__":
    main()
