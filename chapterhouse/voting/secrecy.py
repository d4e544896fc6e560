"""Publishing a secret vote's ballots so that no weight singles out a voter.

A secret ballot is published with its weight so that anyone can recount the vote. When
a weight is held by only a few voters (a small group with its own weight that few of
turned out, a declared stake), its rows in the ballot file are theirs: anyone who knows
who is in that group, or who declared the stake, learns how they voted.

So when a vote has more than one weight and some weight is carried by fewer than ``k``
ballots, every ballot is published split into equal parts: the ``step`` is the largest
weight that divides every weight exactly (their greatest common divisor, as rationals),
and a ballot of weight ``w`` becomes ``w / step`` rows of weight ``step`` with the same
content. Every row of the file then has the same weight. Every count the package makes
adds weights ballot by ballot, so the parts add up to exactly what the whole ballots
gave: the recount of the published file reproduces the result exactly (the one
difference, ``explanation["ballots"]``, is the number of rows published, and the
decision records it so).

Each part carries its own receipt name, ``sha256("<receipt hash>/<n>")`` for n = 1…
parts, so a voter who holds their receipt finds their parts, and nobody else can tell
which parts belong together.

What this does not hide, and cannot while the count is exact and public: the totals.
If everyone of one weight voted one way and the others another, the tallies show it,
as any published tally would. The refusal at publishing (fewer than ``k`` members
holding a weight) keeps the groups large enough for that to say little; ``MAX_PARTS``
bounds the file (weights whose step is too fine are refused at publishing too).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

from .weights import exact

#: The most parts one ballot may be published as (the largest weight over the step).
MAX_PARTS = 50


def common_step(weights: Iterable[Fraction]) -> Fraction:
    """The largest rational that divides every weight a whole number of times (their
    gcd: the gcd of the numerators over the lcm of the denominators, each in lowest
    terms). Zero weights are left out; 0 when there is no other."""
    numerator, denominator = 0, 1
    for weight in weights:
        if weight:
            numerator = math.gcd(numerator, weight.numerator)
            denominator = math.lcm(denominator, weight.denominator)
    return Fraction(numerator, denominator)


def parts_needed(weights: Iterable[Fraction]) -> int:
    """How many parts the heaviest ballot would be published as, if split (1 if none)."""
    distinct = {w for w in weights if w}
    step = common_step(distinct)
    return max((int(w / step) for w in distinct), default=1)


def publication_step(weights: Mapping[Fraction, int] | Iterable[Any], k: int) -> Fraction | None:
    """The step to split a secret vote's ballots by, or None to publish them whole.

    ``weights`` are the ballots' weights (any form ``exact`` reads), or a mapping of
    exact weight to how many ballots carry it. None when all ballots carry one weight
    or every weight is carried by at least ``k`` ballots.
    """
    if isinstance(weights, Mapping):
        counts: Counter[Fraction] = Counter(weights)
    else:
        counts = Counter(exact(w) for w in weights)
    counts = Counter({w: n for w, n in counts.items() if n > 0 and w})
    if len(counts) <= 1 or min(counts.values()) >= k:
        return None
    return common_step(counts)


def part_receipt(receipt: str, part: int) -> str:
    """The name in the ballot file of one part of a split ballot (part = 1, 2, …)."""
    return hashlib.sha256(f"{receipt}/{part}".encode()).hexdigest()


def split_ballots(
    ballots: Iterable[tuple[str | None, Any, Mapping[str, Any]]], step: Fraction
) -> Iterator[tuple[str | None, Fraction, Mapping[str, Any]]]:
    """(receipt, weight, ballot) rows, each ballot as weight / step rows of ``step``,
    named by ``part_receipt``. Raises ValueError if a weight is not a whole number of
    steps (the step was not made from these ballots)."""
    for receipt, weight, ballot in ballots:
        parts = exact(weight) / step
        if parts.denominator != 1:
            raise ValueError(f"the weight {weight} is not a whole number of steps of {step}")
        for part in range(1, int(parts) + 1):
            yield (part_receipt(receipt, part) if receipt else None), step, ballot


def parts_of(receipt: str, weight: Any, step: Fraction) -> list[str]:
    """The names of a ballot's parts in the file, for the voter who holds its receipt."""
    return [part_receipt(receipt, part) for part in range(1, int(exact(weight) / step) + 1)]
