"""The result of a count."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PASSED = "passed"
REJECTED = "rejected"
ELECTED = "elected"
NO_DECISION = "no_decision"
NO_QUORUM = "no_quorum"
OUTCOMES: tuple[str, ...] = (PASSED, REJECTED, ELECTED, NO_DECISION, NO_QUORUM)


@dataclass(frozen=True)
class Result:
    """What a count decided, and why.

    ``winners`` holds option ids (empty for yes/no methods and whenever nothing was
    elected). ``explanation`` is JSON-serialisable; see ``chapterhouse.voting`` for
    its keys, and ``describe()`` for plain-English sentences.
    """

    outcome: str
    winners: list[str]
    turnout_weight: float
    eligible_weight: float
    quorum_met: bool
    explanation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (what a ballot file stores as its ``result``)."""
        return {
            "outcome": self.outcome,
            "winners": list(self.winners),
            "turnout_weight": self.turnout_weight,
            "eligible_weight": self.eligible_weight,
            "quorum_met": self.quorum_met,
            "explanation": copy.deepcopy(self.explanation),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        return cls(
            outcome=str(data["outcome"]),
            winners=[str(w) for w in data["winners"]],
            turnout_weight=float(data["turnout_weight"]),
            eligible_weight=float(data["eligible_weight"]),
            quorum_met=bool(data["quorum_met"]),
            explanation=dict(data.get("explanation") or {}),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
