"""Methods, their parameters and defaults.

Common parameters (every method):

- ``quorum``: the share of the roll's total (eligible) weight that must turn out,
  0..1, default 0. Every ballot counts for turnout, including abstentions and blank
  ballots.
- ``tie_break``: ``"no_decision"`` (default: a tie that the method cannot resolve
  gives the outcome ``no_decision``) or ``"lot"`` (resolved by the public lot order,
  see ``lot_order``); ``seed``: the public string the lot order is drawn from,
  required with ``"lot"``.

Method parameters:

- majority: ``threshold`` (default 0.5): passes when yes is MORE than that share of
  yes + no. 0 <= threshold < 1.
- supermajority: ``threshold`` (default 2/3): passes when yes is AT LEAST that share
  of yes + no. 0 < threshold <= 1.
- consensus: ``threshold`` (default 0.75): agree must be at least that share of
  agree + disagree; ``block_limit`` (default 0): it fails when the blocks' share of
  the turnout weight is at or above this; 0 means any block fails it.
- approval: ``min_choices`` (default 1) and ``max_choices`` (default: all options)
  bound a non-empty approval ballot.

A parameter given as ``None`` takes its default; unknown parameters are refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .errors import InvalidParams

MAJORITY = "majority"
SUPERMAJORITY = "supermajority"
CONSENT = "consent"
CONSENSUS = "consensus"
PLURALITY = "plurality"
APPROVAL = "approval"
SCORE = "score"
SCHULZE = "schulze"
IRV = "irv"

METHODS: tuple[str, ...] = (
    MAJORITY,
    SUPERMAJORITY,
    CONSENT,
    CONSENSUS,
    PLURALITY,
    APPROVAL,
    SCORE,
    SCHULZE,
    IRV,
)

#: Methods that decide a single proposal; their options are implied.
YES_NO_METHODS: frozenset[str] = frozenset({MAJORITY, SUPERMAJORITY, CONSENT, CONSENSUS})
#: Methods that elect one of the given options.
OPTION_METHODS: frozenset[str] = frozenset({PLURALITY, APPROVAL, SCORE, SCHULZE, IRV})
RANKED_METHODS: frozenset[str] = frozenset({SCHULZE, IRV})

#: The choices of the yes/no methods, in the order they are reported.
CHOICES: dict[str, tuple[str, ...]] = {
    MAJORITY: ("yes", "no", "abstain"),
    SUPERMAJORITY: ("yes", "no", "abstain"),
    CONSENT: ("consent", "concern", "block"),
    CONSENSUS: ("agree", "abstain", "disagree", "block"),
}
#: Choices that must come with a reason.
REASON_REQUIRED: dict[str, frozenset[str]] = {
    CONSENT: frozenset({"concern", "block"}),
    CONSENSUS: frozenset({"disagree", "block"}),
}
REASON_MAX_LENGTH = 4000
MAX_SCORE = 5
#: Options are at most this many, so that a ranking fits in an int16 matrix.
MAX_OPTIONS = 1000

MAX_OPTION_ID = 200
MAX_SEED = 1000


def _unicode(text: str) -> bool:
    """Whether ``text`` is valid Unicode (no lone surrogate such as "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NO_DECISION = "no_decision"
LOT = "lot"
TIE_BREAKS = (NO_DECISION, LOT)

_COMMON_DEFAULTS: dict[str, Any] = {"quorum": 0.0, "tie_break": NO_DECISION, "seed": ""}
_METHOD_DEFAULTS: dict[str, dict[str, Any]] = {
    MAJORITY: {"threshold": 0.5},
    SUPERMAJORITY: {"threshold": 2 / 3},
    CONSENT: {},
    CONSENSUS: {"threshold": 0.75, "block_limit": 0.0},
    PLURALITY: {},
    APPROVAL: {"min_choices": 1, "max_choices": None},
    SCORE: {},
    SCHULZE: {},
    IRV: {},
}


def check_method(method: object) -> str:
    if method not in METHODS:
        raise InvalidParams(
            f"Unknown voting method {method!r}; choose one of {', '.join(METHODS)}."
        )
    return str(method)


def check_options(method: str, options: Sequence[str] | None) -> list[str]:
    """Return the options as a list of ids, or raise ``InvalidParams``.

    Yes/no methods ignore the options they are given (theirs are implied).
    """
    if method in YES_NO_METHODS:
        return []
    if options is None or isinstance(options, str | bytes) or not isinstance(options, Sequence):
        raise InvalidParams("The options must be a list of option ids.")
    result = list(options)
    if not result:
        raise InvalidParams("A vote needs at least one option.")
    if len(result) > MAX_OPTIONS:
        raise InvalidParams(f"A vote can have at most {MAX_OPTIONS} options.")
    for option in result:
        if not isinstance(option, str) or not option:
            raise InvalidParams("Option ids must be non-empty strings.")
        if len(option) > MAX_OPTION_ID or not _unicode(option):
            raise InvalidParams(
                f"Option ids must be valid Unicode text of at most {MAX_OPTION_ID} characters."
            )
    if len(set(result)) != len(result):
        raise InvalidParams("Option ids must be unique.")
    return result


def _number(name: str, value: object) -> float:
    if isinstance(value, bool):
        raise InvalidParams(f"{name} must be a number.")
    if isinstance(value, str):
        if len(value) > 200:
            raise InvalidParams(f"{name} must be a number or a fraction like 2/3.")
        try:
            value = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidParams(f"{name} must be a number or a fraction like 2/3.") from None
    if not isinstance(value, int | float | Decimal | Fraction):
        raise InvalidParams(f"{name} must be a number.")
    try:
        result = float(value)
    except OverflowError:
        raise InvalidParams(f"{name} must be a finite number.") from None
    if not math.isfinite(result):
        raise InvalidParams(f"{name} must be a finite number.")
    return result


def _share(name: str, value: object, *, low_open: bool = False, high_open: bool = False) -> float:
    share = _number(name, value)
    too_low = share <= 0 if low_open else share < 0
    too_high = share >= 1 if high_open else share > 1
    if too_low or too_high:
        low = "more than 0" if low_open else "at least 0"
        high = "less than 1" if high_open else "at most 1"
        raise InvalidParams(f"{name} must be a share {low} and {high}; got {share:g}.")
    return share


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise InvalidParams(f"{name} must be a whole number.")
    return value


def normalise_params(
    method: str, options: Sequence[str], params: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return the complete parameters of a count (defaults filled in) or raise ``InvalidParams``."""
    check_method(method)
    given = dict(params or {})
    allowed = {**_COMMON_DEFAULTS, **_METHOD_DEFAULTS[method]}
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise InvalidParams(
            f"Unknown parameter(s) for {method}: {', '.join(map(str, unknown))}; "
            f"allowed: {', '.join(allowed)}."
        )
    merged = {
        key: (default if given.get(key) is None else given[key]) for key, default in allowed.items()
    }

    out: dict[str, Any] = {}
    out["quorum"] = _share("quorum", merged["quorum"])
    if merged["tie_break"] not in TIE_BREAKS:
        raise InvalidParams(f"tie_break must be one of {', '.join(TIE_BREAKS)}.")
    out["tie_break"] = merged["tie_break"]
    if not isinstance(merged["seed"], str):
        raise InvalidParams("seed must be a string.")
    if len(merged["seed"]) > MAX_SEED or not _unicode(merged["seed"]):
        raise InvalidParams(f"seed must be valid Unicode text of at most {MAX_SEED} characters.")
    out["seed"] = merged["seed"]
    if out["tie_break"] == LOT and not out["seed"]:
        raise InvalidParams(
            "tie_break 'lot' needs a public seed string to draw the lot order from."
        )

    if method == MAJORITY:
        out["threshold"] = _share("threshold", merged["threshold"], high_open=True)
    elif method == SUPERMAJORITY:
        out["threshold"] = _share("threshold", merged["threshold"], low_open=True)
    elif method == CONSENSUS:
        out["threshold"] = _share("threshold", merged["threshold"], low_open=True)
        out["block_limit"] = _share("block_limit", merged["block_limit"])
    elif method == APPROVAL:
        k = len(options)
        low = _whole("min_choices", merged["min_choices"])
        high = k if merged["max_choices"] is None else _whole("max_choices", merged["max_choices"])
        if not 0 <= low <= high:
            raise InvalidParams("min_choices must be at least 0 and at most max_choices.")
        if not 1 <= high <= k:
            raise InvalidParams(f"max_choices must be from 1 to the number of options ({k}).")
        out["min_choices"] = low
        out["max_choices"] = high
    return out
