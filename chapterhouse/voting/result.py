"""The result of a count."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .weights import exact, to_text

PASSED = "passed"
REJECTED = "rejected"
ELECTED = "elected"
NO_DECISION = "no_decision"
NO_QUORUM = "no_quorum"
OUTCOMES: tuple[str, ...] = (PASSED, REJECTED, ELECTED, NO_DECISION, NO_QUORUM)


def published(value: Any, *, legacy: bool = False) -> Any:
    """``value`` with every exact weight (a Fraction) written as text (``"2/3"``), or with
    ``legacy`` as the float the ``chapterhouse-ballots/1`` format published."""
    if isinstance(value, Fraction):
        return float(value) if legacy else to_text(value)
    if isinstance(value, dict):
        return {key: published(item, legacy=legacy) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [published(item, legacy=legacy) for item in value]
    return value


@dataclass(frozen=True)
class Result:
    """What a count decided, and why.

    ``winners`` holds option ids (empty for yes/no methods and whenever nothing was
    elected). Weights (``turnout_weight``, ``eligible_weight`` and those in
    ``explanation``) are exact ``Fraction`` objects; ``to_dict()`` writes them as text
    (``"1.5"``, ``"2/3"``), so it is JSON-ready. See ``chapterhouse.voting`` for the
    explanation's keys, and ``describe()`` for plain-English sentences.
    """

    outcome: str
    winners: list[str]
    turnout_weight: Fraction
    eligible_weight: Fraction
    quorum_met: bool
    explanation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, *, legacy: bool = False) -> dict[str, Any]:
        """A JSON-ready copy (what a ballot file stores as its ``result``); weights as
        exact text, or with ``legacy`` as the floats of ``chapterhouse-ballots/1``."""
        data: dict[str, Any] = published({
            "outcome": self.outcome,
            "winners": list(self.winners),
            "turnout_weight": self.turnout_weight,
            "eligible_weight": self.eligible_weight,
            "quorum_met": self.quorum_met,
            "explanation": self.explanation,
        }, legacy=legacy)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        return cls(
            outcome=str(data["outcome"]),
            winners=[str(w) for w in data["winners"]],
            turnout_weight=exact(data["turnout_weight"]),
            eligible_weight=exact(data["eligible_weight"]),
            quorum_met=bool(data["quorum_met"]),
            explanation=dict(data.get("explanation") or {}),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
