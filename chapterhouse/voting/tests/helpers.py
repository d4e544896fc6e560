"""Shorthands for the voting tests."""

from collections.abc import Mapping, Sequence
from typing import Any

from chapterhouse.voting import Result, count


def run(
    method: str,
    ballots: Sequence[tuple[Any, Mapping[str, Any]]],
    *,
    options: Sequence[str] = ("a", "b", "c"),
    eligible: Any = None,
    **params: Any,
) -> Result:
    return count(
        method=method,
        options=list(options),
        ballots=list(ballots),
        params=params,
        eligible_weight=sum(w for w, _ in ballots) if eligible is None else eligible,
    )


def ranked(*rows: tuple[Any, str]) -> list[tuple[Any, dict[str, Any]]]:
    """(weight, "abc") → (weight, {"ranking": ["a", "b", "c"]}); "" is a blank ballot."""
    return [(w, {"ranking": list(r)} if r else {}) for w, r in rows]
