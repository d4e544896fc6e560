"""The contract shared by the in-process operations in bench/ops/ and by bench/run.py.

An operation module defines ``measure(ctx: Context) -> list[dict]``. It times its own code
path and its reference A, B, A, B… with :func:`interleave`, checks that both produce the
same result (``correct``), and returns rows made by :func:`row`. Rows are JSON-serialisable;
run.py collects them into the results file and the markdown table.

Row fields: name, reference, ours {median_ms, p50_ms, p95_ms, p99_ms, n, spread},
reference_stats (same shape), ratio (ours median / reference median: lower is better for
times), target (text), correct (bool: the result equals the reference's; a false value
fails CI), failures (missed time targets, text), pass, notes.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Context:
    tier: str
    rounds: int = 5
    ci: bool = False  # correctness-only: smaller sizes where an op allows, times reported only
    seed: int = 2012
    options: dict[str, Any] = field(default_factory=dict)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def stats(seconds: list[float], per_round: list[float] | None = None) -> dict[str, Any]:
    """Latency summary in milliseconds. `per_round`: one median per round, for the spread."""
    rounds = per_round or seconds
    med = statistics.median(rounds) if rounds else 0.0
    return {
        "n": len(seconds),
        "median_ms": round(statistics.median(seconds) * 1000, 3) if seconds else None,
        "p50_ms": round(pct(seconds, 50) * 1000, 3),
        "p95_ms": round(pct(seconds, 95) * 1000, 3),
        "p99_ms": round(pct(seconds, 99) * 1000, 3),
        "spread": round((max(rounds) - min(rounds)) / med, 3) if med else None,
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def interleave(
    ours: Callable[[], Any],
    reference: Callable[[], Any],
    rounds: int,
    *,
    repeat: int = 1,
    setup: Callable[[], Any] | None = None,
    after: Callable[[str, Any], Any] | None = None,
) -> tuple[list[float], list[float], list[float], list[float], Any, Any]:
    """Run ours, reference, ours, reference… `rounds` times, each `repeat` calls per side.

    Returns (ours_samples, ref_samples, ours_round_medians, ref_round_medians,
    last_ours_result, last_ref_result). `setup` runs before every call (untimed), e.g. to
    delete what the previous call inserted; `after` runs after every call (untimed) with
    the side ("ours" or "reference") and the call's result, e.g. to check what it stored
    before the next setup deletes it. The garbage collector is paused while timing.
    """
    a: list[float] = []
    b: list[float] = []
    ar: list[float] = []
    br: list[float] = []
    out_a = out_b = None
    for _ in range(rounds):
        for fn, samples, medians, side in ((ours, a, ar, "a"), (reference, b, br, "b")):
            got: list[float] = []
            for _ in range(repeat):
                if setup is not None:
                    setup()
                gc.disable()
                try:
                    t, out = timed(fn)
                finally:
                    gc.enable()
                got.append(t)
                if after is not None:
                    after("ours" if side == "a" else "reference", out)
                if side == "a":
                    out_a = out
                else:
                    out_b = out
            samples.extend(got)
            medians.append(statistics.median(got))
    return a, b, ar, br, out_a, out_b


def row(
    name: str,
    reference: str,
    ours: list[float],
    ref: list[float],
    *,
    ours_rounds: list[float] | None = None,
    ref_rounds: list[float] | None = None,
    target: str,
    correct: bool,
    failures: list[str] | None = None,
    notes: str = "",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One result row. `failures` lists missed time targets (the caller checks them)."""
    o, r = stats(ours, ours_rounds), stats(ref, ref_rounds)
    ratio = (o["median_ms"] / r["median_ms"]) if o["median_ms"] and r["median_ms"] else None
    failures = list(failures or [])
    if not correct:
        failures.insert(0, "result differs from the reference")
    return {
        "name": name, "reference": reference, "ours": o, "reference_stats": r,
        "ratio": round(ratio, 4) if ratio is not None else None, "target": target,
        "correct": correct, "failures": failures, "pass": not failures, "notes": notes,
        **(extra or {}),
    }
