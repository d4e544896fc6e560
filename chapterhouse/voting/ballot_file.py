"""Published ballot files (``chapterhouse-ballots/2``) and recounting them.

A ballot file is one JSON object::

    {"format": "chapterhouse-ballots/2", "method": ..., "options": [...],
     "params": {...}, "eligible_weight": "120",
     "ballots": [{"receipt": "K7QF-..." | null, "weight": "1.5", "ballot": {...}}, ...],
     "result": {...Result.to_dict()...},
     "labels": {option id: name}, "meta": {...}}      # the last two are optional

``make_ballot_file`` stores the complete, normalised params (defaults written out, so a
later change of a default cannot change a recount) and sorts the ballots by receipt
and content, so the file's order says nothing about the order ballots were cast in.

Weights are exact text (``"3"``, ``"1.5"``, ``"2/3"``; see ``weights``), in the
ballots, the eligible weight and the result. Files of the older format
``chapterhouse-ballots/1`` (weights as JSON numbers, already published) are still read
and recounted as they are, not migrated: their numbers are read exactly (1.5 is 3/2)
and the recount is compared with their result in that format's floats.

Hostile files give ``InvalidBallotFile``, never a crash: JSON nested deeper than
``MAX_DEPTH``, numbers beyond ``weights.MAX_WEIGHT`` or of more than 200 digits, and
text that is not valid Unicode (lone surrogates) are refused.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .counting import count
from .errors import InvalidBallotFile, InvalidParams
from .params import check_method, check_options, normalise_params
from .result import OUTCOMES, Result
from .secrecy import split_ballots
from .weights import MAX_TOTAL, MAX_WEIGHT, exact, to_text

FORMAT = "chapterhouse-ballots/2"
FORMAT_V1 = "chapterhouse-ballots/1"
FORMATS = (FORMAT, FORMAT_V1)
MAX_DEPTH = 64
_REQUIRED = ("format", "method", "options", "params", "eligible_weight", "ballots", "result")
_OPTIONAL = ("labels", "meta")
_BALLOT_KEYS = {"receipt", "weight", "ballot"}
_RESULT_KEYS = {
    "outcome",
    "winners",
    "turnout_weight",
    "eligible_weight",
    "quorum_met",
    "explanation",
}


@dataclass
class BallotFile:
    method: str
    options: list[str]
    params: dict[str, Any]
    eligible_weight: Any  # exact text ("120", "2/3"); a number in format 1
    ballots: list[dict[str, Any]]  # {"receipt", "weight", "ballot"}
    result: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    format: str = FORMAT


def make_ballot_file(
    *,
    method: str,
    options: Sequence[str],
    params: Mapping[str, Any] | None,
    eligible_weight: Any,
    ballots: Iterable[tuple[str | None, Any, Mapping[str, Any]]],
    result: Result | Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    meta: Mapping[str, Any] | None = None,
    legacy: bool = False,
    step: Any = None,
) -> dict[str, Any]:
    """The ballot file as a dict; ``ballots`` are (receipt, weight, ballot) triples.

    ``legacy`` writes ``chapterhouse-ballots/1`` (weights as floats), for a result that
    was published in that format before weights were exact. ``step`` (a weight) writes
    each ballot as parts of that weight (``secrecy.split_ballots``), as a secret vote
    whose decision says so is published.
    """
    check_method(method)
    opts = check_options(method, options)
    if step is not None:
        ballots = split_ballots(ballots, exact(step))

    def written(weight: Any, what: str = "A weight", limit: int = MAX_WEIGHT) -> Any:
        value = exact(weight, what, limit=limit)
        return float(value) if legacy else to_text(value)

    rows = [
        {"receipt": receipt, "weight": written(weight), "ballot": dict(ballot)}
        for receipt, weight, ballot in ballots
    ]
    rows.sort(
        key=lambda row: (
            row["receipt"] or "",
            json.dumps(row["ballot"], sort_keys=True),
            exact(row["weight"]),
        )
    )
    data: dict[str, Any] = {
        "format": FORMAT_V1 if legacy else FORMAT,
        "method": method,
        "options": opts,
        "params": normalise_params(method, opts, params),
        "eligible_weight": written(eligible_weight, "The eligible weight", MAX_TOTAL),
        "ballots": rows,
        "result": result.to_dict(legacy=legacy) if isinstance(result, Result) else dict(result),
    }
    if labels:
        data["labels"] = dict(labels)
    if meta:
        data["meta"] = dict(meta)
    return data


def ballot_file_json(data: Mapping[str, Any]) -> str:
    """JSON text with one ballot per line (readable and diffable, still compact)."""
    head = {key: data[key] for key in data if key not in ("ballots", "result")}
    parts = [json.dumps(head, ensure_ascii=False)[:-1]]  # without the closing brace
    rows = ",\n".join(
        json.dumps(row, ensure_ascii=False, sort_keys=True) for row in data["ballots"]
    )
    parts.append(', "ballots": [\n' + rows + ("\n" if rows else "") + "]")
    parts.append(
        ', "result": ' + json.dumps(data["result"], ensure_ascii=False, sort_keys=True) + "}\n"
    )
    return "".join(parts)


def dump_ballot_file(target: str | os.PathLike[str] | IO[str], **kwargs: Any) -> dict[str, Any]:
    """Write a ballot file (arguments as ``make_ballot_file``) and return its data."""
    data = make_ballot_file(**kwargs)
    text = ballot_file_json(data)
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        target.write(text)
    return data


def load_ballot_file(source: str | os.PathLike[str] | IO[str]) -> BallotFile:
    """Read and check a ballot file; raises ``InvalidBallotFile`` with a clear message."""
    try:
        if isinstance(source, str | os.PathLike):
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
        else:
            text = source.read()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidBallotFile(f"Cannot read the ballot file: {error}") from None
    return loads_ballot_file(text)


def _reject_constant(name: str) -> Any:
    raise InvalidBallotFile(f"The ballot file contains {name}, which is not a number.")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 200:
        raise InvalidBallotFile("The ballot file contains a number of more than 200 digits.")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > 200:
        raise InvalidBallotFile("The ballot file contains a number of more than 200 digits.")
    value = float(text)
    if not math.isfinite(value):
        raise InvalidBallotFile("The ballot file contains a number too large to read.")
    return value


def _check_tree(data: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH and strings that are not valid Unicode (a
    lone surrogate such as "\\ud800"); walked with a stack, never by recursion."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidBallotFile(
                    "The ballot file contains text that is not valid Unicode (a lone surrogate)."
                ) from None
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise InvalidBallotFile(
                    f"The ballot file nests arrays and objects more than {MAX_DEPTH} deep."
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((key, depth + 1))
                stack.append((item, depth + 1))


def loads_ballot_file(text: str) -> BallotFile:
    if not isinstance(text, str):
        raise InvalidBallotFile("The ballot file must be text.")
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int,
                          parse_float=_parse_float)
    except json.JSONDecodeError as error:
        raise InvalidBallotFile(f"The ballot file is not valid JSON: {error}") from None
    except RecursionError:
        raise InvalidBallotFile(
            f"The ballot file nests arrays and objects more than {MAX_DEPTH} deep."
        ) from None
    except InvalidBallotFile:
        raise
    except ValueError as error:
        raise InvalidBallotFile(f"The ballot file cannot be read: {error}") from None
    _check_tree(data)
    if not isinstance(data, dict):
        raise InvalidBallotFile("The ballot file must be a JSON object.")
    if data.get("format") not in FORMATS:
        raise InvalidBallotFile(
            f"The ballot file's format must be {FORMAT!r} (or the older {FORMAT_V1!r}); "
            f"got {data.get('format')!r}."
        )
    legacy = data["format"] == FORMAT_V1
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise InvalidBallotFile(f"The ballot file lacks: {', '.join(missing)}.")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise InvalidBallotFile(f"The ballot file has unknown field(s): {', '.join(unknown)}.")
    if not isinstance(data["method"], str):
        raise InvalidBallotFile("'method' must be a string.")
    if not isinstance(data["options"], list):
        raise InvalidBallotFile("'options' must be a list of option ids.")
    if not isinstance(data["params"], dict):
        raise InvalidBallotFile("'params' must be an object.")
    if not _is_weight(data["eligible_weight"], legacy, MAX_TOTAL):
        raise InvalidBallotFile("'eligible_weight' must be a number of at least 0.")
    for key in ("labels", "meta"):
        if not isinstance(data.get(key, {}), dict):
            raise InvalidBallotFile(f"'{key}' must be an object.")
    if not isinstance(data["ballots"], list):
        raise InvalidBallotFile("'ballots' must be a list.")
    for i, row in enumerate(data["ballots"], start=1):
        if not isinstance(row, dict) or set(row) != _BALLOT_KEYS:
            raise InvalidBallotFile(
                f"Ballot {i} must be an object with exactly: receipt, weight, ballot."
            )
        if row["receipt"] is not None and not isinstance(row["receipt"], str):
            raise InvalidBallotFile(f"Ballot {i}: the receipt must be a string or null.")
        if not _is_weight(row["weight"], legacy):
            raise InvalidBallotFile(f"Ballot {i}: the weight must be a number of at least 0.")
        if not isinstance(row["ballot"], dict):
            raise InvalidBallotFile(f"Ballot {i}: 'ballot' must be an object.")
    result = data["result"]
    if not isinstance(result, dict) or not _RESULT_KEYS <= set(result):
        raise InvalidBallotFile(
            f"'result' must be an object with: {', '.join(sorted(_RESULT_KEYS))}."
        )
    if result["outcome"] not in OUTCOMES:
        raise InvalidBallotFile(f"'result' has an unknown outcome {result['outcome']!r}.")
    return BallotFile(
        method=data["method"],
        options=data["options"],
        params=data["params"],
        eligible_weight=data["eligible_weight"],
        ballots=data["ballots"],
        result=result,
        labels=data.get("labels", {}),
        meta=data.get("meta", {}),
        format=data["format"],
    )


def _is_weight(value: object, legacy: bool, limit: int = MAX_WEIGHT) -> bool:
    """A weight as its format writes it (exact text; a number in format 1) that
    ``weights.exact`` accepts."""
    if isinstance(value, bool):
        return False
    if not isinstance(value, int | float if legacy else str):
        return False
    try:
        exact(value, limit=limit)
    except InvalidParams:
        return False
    return True


def recount(ballot_file: BallotFile) -> Result:
    """Count the file's ballots again; raises ``InvalidBallot``/``InvalidParams`` for bad ones."""
    return count(
        method=ballot_file.method,
        options=ballot_file.options,
        ballots=((row["weight"], row["ballot"]) for row in ballot_file.ballots),
        params=ballot_file.params,
        eligible_weight=ballot_file.eligible_weight,
        legacy=ballot_file.format == FORMAT_V1,
    )


def differences(
    recounted: Result, published: Mapping[str, Any], *, legacy: bool = False
) -> list[str]:
    """Where (``outcome``, ``explanation.rounds``…) the recount differs from the published result.

    Both sides are compared as JSON, so 1 and 1.0 or a tuple and a list are equal.
    ``legacy``: the published result is in the floats of ``chapterhouse-ballots/1``.
    """
    ours = json.loads(json.dumps(recounted.to_dict(legacy=legacy)))
    theirs = json.loads(json.dumps(published))
    found: list[str] = []
    for key in sorted(set(ours) | set(theirs)):
        if key == "explanation" and isinstance(theirs.get(key), dict):
            for sub in sorted(set(ours[key]) | set(theirs[key])):
                if ours[key].get(sub) != theirs[key].get(sub):
                    found.append(f"explanation.{sub}")
        elif ours.get(key) != theirs.get(key):
            found.append(key)
    return found
