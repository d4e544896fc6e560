"""Ballot validation, and conversion of ballots to numpy arrays (done once per count).

Ballot shapes (an empty ballot ``{}``, empty ranking or empty approval is valid and
counts for turnout only; every variant of "empty" is normalised to ``{}``):

- majority / supermajority: ``{"choice": "yes" | "no" | "abstain"}``
- consent: ``{"choice": "consent" | "concern" | "block", "reason": str}``
- consensus: ``{"choice": "agree" | "abstain" | "disagree" | "block", "reason": str}``
  (a reason is required for concern, disagree and block, optional otherwise)
- plurality: ``{"option": id}``
- approval: ``{"approve": [id, ...]}`` (no repeats; min_choices..max_choices ids)
- score: ``{"scores": {id: 0..5}}``; an option left out is not scored and counts as 0
- schulze / irv: ``{"ranking": [id, ...]}`` best first; partial rankings are allowed
  (unranked options share the bottom place); no repeats.

Unknown keys are refused everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

from .errors import InvalidBallot
from .params import (
    APPROVAL,
    CHOICES,
    IRV,
    MAX_SCORE,
    PLURALITY,
    REASON_MAX_LENGTH,
    REASON_REQUIRED,
    SCHULZE,
    SCORE,
    YES_NO_METHODS,
    check_method,
    check_options,
    normalise_params,
)

if TYPE_CHECKING:
    import numpy as np

# numpy is imported by the functions that build arrays (counting), not here:
# validating a ballot needs none of it (voting/__init__.py says why).

_KEYS: dict[str, tuple[str, ...]] = {
    "majority": ("choice",),
    "supermajority": ("choice",),
    "consent": ("choice", "reason"),
    "consensus": ("choice", "reason"),
    PLURALITY: ("option",),
    APPROVAL: ("approve",),
    SCORE: ("scores",),
    SCHULZE: ("ranking",),
    IRV: ("ranking",),
}


def _fail(message: str, code: str, **details: Any) -> InvalidBallot:
    return InvalidBallot(message, code=code, details=details)


def _or(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


class Validator:
    """Validates and normalises ballots for one count (options and params fixed)."""

    def __init__(self, method: str, options: Sequence[str], params: Mapping[str, Any]) -> None:
        self.method = method
        self.options = list(options)
        self.index = {option: i for i, option in enumerate(self.options)}
        self.params = params
        self.keys = _KEYS[method]

    def __call__(self, ballot: object) -> dict[str, Any]:
        if not isinstance(ballot, Mapping):
            raise _fail("A ballot must be a JSON object.", "not_an_object")
        extra = [str(key) for key in ballot if key not in self.keys]
        if extra:
            raise _fail(
                f"Unexpected field(s) in the ballot: {', '.join(sorted(extra))}. "
                f"A ballot for {self.method} has only: {', '.join(self.keys)}.",
                "unexpected_fields",
                fields=sorted(extra),
            )
        if not ballot:
            return {}
        if self.method in YES_NO_METHODS:
            return self._choice(ballot)
        if self.method == PLURALITY:
            return self._plurality(ballot)
        if self.method == APPROVAL:
            return self._approval(ballot)
        if self.method == SCORE:
            return self._score(ballot)
        return self._ranking(ballot)

    def _option(self, value: object) -> int:
        if not isinstance(value, str):
            raise _fail("Options must be given by their id (a string).", "not_an_option_id")
        try:
            return self.index[value]
        except KeyError:
            raise _fail(f"Unknown option {value!r}.", "unknown_option", option=value) from None

    def _list(self, ballot: Mapping[str, Any], key: str) -> list[Any]:
        value = ballot[key]
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise _fail(f"'{key}' must be a list of option ids.", "not_a_list", field=key)
        return list(value)

    def _choice(self, ballot: Mapping[str, Any]) -> dict[str, Any]:
        choices = CHOICES[self.method]
        if "choice" not in ballot:
            raise _fail(f"Choose {_or(choices)}.", "missing_choice", choices=list(choices))
        choice = ballot["choice"]
        if choice not in choices:
            raise _fail(
                f"{choice!r} is not a choice here; choose {_or(choices)}.",
                "unknown_choice",
                choice=str(choice),
                choices=list(choices),
            )
        out: dict[str, Any] = {"choice": choice}
        reason = ballot.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise _fail("The reason must be text.", "reason_not_text")
        reason = (reason or "").strip()
        if len(reason) > REASON_MAX_LENGTH:
            raise _fail(
                f"The reason is too long ({len(reason)} characters; at most {REASON_MAX_LENGTH}).",
                "reason_too_long",
                limit=REASON_MAX_LENGTH,
            )
        if not reason and choice in REASON_REQUIRED.get(self.method, ()):
            raise _fail(f"A {choice} needs a reason.", "reason_required", choice=choice)
        if reason:
            out["reason"] = reason
        return out

    def _plurality(self, ballot: Mapping[str, Any]) -> dict[str, Any]:
        option = ballot["option"]
        self._option(option)
        return {"option": option}

    def _approval(self, ballot: Mapping[str, Any]) -> dict[str, Any]:
        approved = self._list(ballot, "approve")
        if not approved:
            return {}
        seen: set[int] = set()
        for option in approved:
            i = self._option(option)
            if i in seen:
                raise _fail(
                    f"Option {option!r} is approved more than once.",
                    "duplicate_option",
                    option=option,
                )
            seen.add(i)
        low, high = self.params["min_choices"], self.params["max_choices"]
        if len(approved) > high:
            raise _fail(
                f"You may approve at most {high} option(s); this ballot approves {len(approved)}.",
                "too_many_choices",
                limit=high,
                given=len(approved),
            )
        if len(approved) < low:
            raise _fail(
                f"Approve at least {low} option(s), or none for a blank ballot; "
                f"this ballot approves {len(approved)}.",
                "too_few_choices",
                limit=low,
                given=len(approved),
            )
        return {"approve": approved}

    def _score(self, ballot: Mapping[str, Any]) -> dict[str, Any]:
        scores = ballot["scores"]
        if not isinstance(scores, Mapping):
            raise _fail("'scores' must map option ids to scores.", "not_a_mapping", field="scores")
        out: dict[str, int] = {}
        for option, value in scores.items():
            self._option(option)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise _fail(
                    f"The score for {option!r} must be a whole number from 0 to {MAX_SCORE}.",
                    "score_not_whole",
                    option=option,
                )
            if not 0 <= value <= MAX_SCORE:
                raise _fail(
                    f"The score for {option!r} must be from 0 to {MAX_SCORE}; got {value}.",
                    "score_out_of_range",
                    option=option,
                    score=value,
                )
            out[option] = value
        return {"scores": out} if out else {}

    def _ranking(self, ballot: Mapping[str, Any]) -> dict[str, Any]:
        ranking = self._list(ballot, "ranking")
        if not ranking:
            return {}
        seen: set[int] = set()
        for option in ranking:
            i = self._option(option)
            if i in seen:
                raise _fail(
                    f"Option {option!r} is ranked more than once.", "duplicate_rank", option=option
                )
            seen.add(i)
        return {"ranking": ranking}


def validate_ballot(
    *, method: str, options: Sequence[str], ballot: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the normalised ballot, or raise ``InvalidBallot`` with a message for the member.

    Raises ``InvalidParams`` when the method, options or params themselves are wrong.
    """
    check_method(method)
    opts = check_options(method, options)
    return Validator(method, opts, normalise_params(method, opts, params))(ballot)


# --- conversion to arrays -------------------------------------------------------------
#
# Each converter walks the ballots once. A ballot that passes a few cheap checks
# (the common case) is converted directly; any other ballot goes through the
# Validator, which either raises the precise message or returns a normalised
# ballot to convert. The tallies themselves then only ever see the arrays.


def rank_dtype(k: int) -> type[np.signedinteger[Any]]:
    """The smallest integer type that holds positions 0..k (k = "unranked")."""
    import numpy as np

    return np.int8 if k < 127 else np.int16


def _checked(validate: Validator, ballot: object, i: int) -> dict[str, Any]:
    try:
        return validate(ballot)
    except InvalidBallot as error:
        error.index = i
        error.args = (f"Ballot {i + 1}: {error.message}",)
        raise


def choice_codes(validate: Validator, ballots: Sequence[object]) -> np.ndarray:
    """Yes/no methods: the index of each ballot's choice in ``CHOICES``, -1 for blank."""
    import numpy as np

    codes = {choice: i for i, choice in enumerate(CHOICES[validate.method])}
    # A lone {"choice": c} needs no more checking unless c needs a reason.
    plain = {c: i for c, i in codes.items() if c not in REASON_REQUIRED.get(validate.method, ())}
    out = np.empty(len(ballots), dtype=np.int8)
    for i, ballot in enumerate(ballots):
        if type(ballot) is dict and len(ballot) == 1:
            code = plain.get(ballot.get("choice"))  # type: ignore[arg-type]
            if code is not None:
                out[i] = code
                continue
        normal = _checked(validate, ballot, i)
        out[i] = codes[normal["choice"]] if normal else -1
    return out


def plurality_codes(validate: Validator, ballots: Sequence[object]) -> np.ndarray:
    """Plurality: the index of each ballot's option, -1 for blank."""
    import numpy as np

    index = validate.index
    out = np.empty(len(ballots), dtype=np.int32)
    for i, ballot in enumerate(ballots):
        if type(ballot) is dict and len(ballot) == 1 and type(ballot.get("option")) is str:
            code = index.get(ballot["option"])
            if code is not None:
                out[i] = code
                continue
        normal = _checked(validate, ballot, i)
        out[i] = index[normal["option"]] if normal else -1
    return out


class _Slow(Exception):
    """The fast conversion met something unusual: redo it ballot by ballot."""


def _flat(
    validate: Validator, ballots: Sequence[object], key: str
) -> tuple[np.ndarray, np.ndarray]:
    """Approval and ranking ballots flattened: (number of listed ids per ballot, option indices).

    Fast path: plain dicts, each empty or with the one expected key, lists of known ids,
    checked and converted a whole pass at a time (C loops, no Python code per ballot).
    Repeats and approval bounds are checked afterwards on the arrays. Anything else sends
    the whole conversion through the Validator, ballot by ballot, for the precise error.
    """
    import numpy as np

    try:
        return _flat_fast(validate.index, ballots, key)
    except (_Slow, KeyError, TypeError):
        pass
    getter = validate.index.__getitem__
    lengths: list[int] = []
    cols: list[int] = []
    for i, ballot in enumerate(ballots):
        found = [getter(item) for item in _checked(validate, ballot, i).get(key, ())]
        cols.extend(found)
        lengths.append(len(found))
    return np.asarray(lengths, dtype=np.intp), np.asarray(cols, dtype=np.intp)


_NOTHING: list[Any] = []  # what a blank ballot lists (shared, never changed)


def _flat_fast(
    index: Mapping[str, int], ballots: Sequence[object], key: str
) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    if set(map(type, ballots)) - {dict}:
        raise _Slow
    sizes = list(map(len, ballots))  # type: ignore[arg-type]
    if set(sizes) - {0, 1}:
        raise _Slow
    items: list[Any] = list(map(dict.get, ballots, repeat(key)))  # type: ignore[arg-type]
    blank = sizes.count(0)
    if items.count(None) != blank:  # a ballot with another key, or a null list
        raise _Slow
    if blank:
        items = [found or _NOTHING for found in items]
    if set(map(type, items)) - {list}:
        raise _Slow
    lengths = np.fromiter(map(len, items), dtype=np.intp, count=len(items))
    ids = map(index.__getitem__, chain.from_iterable(items))
    if len(index) <= 256:  # bytes() takes small ints a little faster than fromiter
        return lengths, np.frombuffer(bytes(ids), dtype=np.uint8)
    return lengths, np.fromiter(ids, dtype=np.intp, count=int(lengths.sum()))


def _reject_first(validate: Validator, ballots: Sequence[object], bad: np.ndarray) -> None:
    """Raise the Validator's message for the first ballot flagged ``bad``."""
    import numpy as np

    i = int(np.flatnonzero(bad)[0])
    _checked(validate, ballots[i], i)
    raise InvalidBallot(f"Ballot {i + 1} is invalid.", index=i)  # not reached


def approval_matrix(validate: Validator, ballots: Sequence[object]) -> np.ndarray:
    """Approval: a bool matrix n×k, True where the ballot approves the option."""
    lengths, cols = _flat(validate, ballots, "approve")
    out, bad = approvals_from_flat(validate, lengths, cols)
    if bad.any():
        _reject_first(validate, ballots, bad)
    return out


def approvals_from_flat(validate: Validator, lengths: np.ndarray, cols: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(approval matrix, bad rows) from the flattened lists (option indices < k): a row
    is bad when it approves an option twice or breaks the min/max choices."""
    import numpy as np

    n, k = lengths.shape[0], len(validate.options)
    out = np.zeros((n, k), dtype=bool)
    out.reshape(-1)[_cells(lengths, cols, k)] = True
    low, high = validate.params["min_choices"], validate.params["max_choices"]
    bad = np.count_nonzero(out, axis=1) != lengths  # an option approved twice
    bad |= (lengths > 0) & ((lengths < low) | (lengths > high))
    return out, bad


def _cells(lengths: np.ndarray, cols: np.ndarray, k: int) -> np.ndarray:
    """The flat index (row × k + column) of each listed option in an n×k matrix."""
    import numpy as np

    n = lengths.shape[0]
    # 32-bit where it fits: half the memory traffic of the repeat over all the ids.
    kind = np.int32 if n * k < 2**31 else np.int64
    cells = np.repeat(np.arange(0, n * k, k, dtype=kind), lengths)
    cells += cols.astype(kind, copy=False)
    return cells


def rank_matrix(validate: Validator, ballots: Sequence[object]) -> np.ndarray:
    """Ranked methods: positions n×k (0 = first choice); k marks an unranked option."""
    lengths, cols = _flat(validate, ballots, "ranking")
    out, bad = ranks_from_flat(len(validate.options), lengths, cols)
    if bad.any():
        _reject_first(validate, ballots, bad)
    return out


def ranks_from_flat(k: int, lengths: np.ndarray, cols: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(position matrix n×k, bad rows) from the flattened rankings (option indices < k,
    best first, ``lengths`` ids per ballot): a row is bad when it ranks an option twice."""
    import numpy as np

    n = lengths.shape[0]
    # The position of a listed option is its offset from the start of its ballot's run.
    kind = np.int32 if cols.size < 2**31 else np.int64
    starts = np.cumsum(lengths, dtype=kind) - lengths.astype(kind, copy=False)
    positions = np.arange(cols.size, dtype=kind)
    np.subtract(positions, np.repeat(starts, lengths), out=positions)
    out = np.full((n, k), k, dtype=rank_dtype(k))
    # Scattered through the flat view: one index array instead of two.
    out.reshape(-1)[_cells(lengths, cols, k)] = positions
    bad = np.count_nonzero(out < k, axis=1) != lengths  # an option ranked twice
    return out, bad


def score_matrix(validate: Validator, ballots: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """Score: an int8 matrix n×k of scores (unscored = 0) and a bool vector of non-blank ballots."""
    import numpy as np

    index = validate.index
    k = len(index)
    rows: list[int] = []
    cols: list[int] = []
    values: list[int] = []
    for i, ballot in enumerate(ballots):
        scores = ballot.get("scores") if type(ballot) is dict and len(ballot) == 1 else None
        if type(scores) is dict and scores:
            try:
                found = [index[option] for option in scores]
                good = all(type(v) is int and 0 <= v <= MAX_SCORE for v in scores.values())
            except (KeyError, TypeError):
                good = False
            if good:
                rows.extend([i] * len(found))
                cols.extend(found)
                values.extend(scores.values())
                continue
        normal = _checked(validate, ballot, i).get("scores", {})
        rows.extend([i] * len(normal))
        cols.extend(index[option] for option in normal)
        values.extend(normal.values())
    out = np.zeros((len(ballots), k), dtype=np.int8)
    row_arr = np.asarray(rows, dtype=np.intp)
    out[row_arr, np.asarray(cols, dtype=np.intp)] = np.asarray(values, dtype=np.int8)
    scored = np.zeros(len(ballots), dtype=bool)
    scored[row_arr] = True
    return out, scored
