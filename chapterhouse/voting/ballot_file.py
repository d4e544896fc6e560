"""Published ballot files (``chapterhouse-ballots/1``) and recounting them.

A ballot file is one JSON object::

    {"format": "chapterhouse-ballots/1", "method": ..., "options": [...],
     "params": {...}, "eligible_weight": 120.0,
     "ballots": [{"receipt": "K7QF-..." | null, "weight": 1.0, "ballot": {...}}, ...],
     "result": {...Result.to_dict()...},
     "labels": {option id: name}, "meta": {...}}      # the last two are optional

``make_ballot_file`` stores the complete, normalised params (defaults written out, so a
later change of a default cannot change a recount) and sorts the ballots by receipt
and content, so the file's order says nothing about the order ballots were cast in.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .counting import count
from .errors import InvalidBallotFile
from .params import check_method, check_options, normalise_params
from .result import OUTCOMES, Result

FORMAT = "chapterhouse-ballots/1"
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
    eligible_weight: float
    ballots: list[dict[str, Any]]  # {"receipt", "weight", "ballot"}
    result: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def make_ballot_file(
    *,
    method: str,
    options: Sequence[str],
    params: Mapping[str, Any] | None,
    eligible_weight: float,
    ballots: Iterable[tuple[str | None, float, Mapping[str, Any]]],
    result: Result | Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ballot file as a dict; ``ballots`` are (receipt, weight, ballot) triples."""
    check_method(method)
    opts = check_options(method, options)
    rows = [
        {"receipt": receipt, "weight": float(weight), "ballot": dict(ballot)}
        for receipt, weight, ballot in ballots
    ]
    rows.sort(
        key=lambda row: (
            row["receipt"] or "",
            json.dumps(row["ballot"], sort_keys=True),
            row["weight"],
        )
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "method": method,
        "options": opts,
        "params": normalise_params(method, opts, params),
        "eligible_weight": float(eligible_weight),
        "ballots": rows,
        "result": result.to_dict() if isinstance(result, Result) else dict(result),
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


def loads_ballot_file(text: str) -> BallotFile:
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise InvalidBallotFile(f"The ballot file is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise InvalidBallotFile("The ballot file must be a JSON object.")
    if data.get("format") != FORMAT:
        raise InvalidBallotFile(
            f"The ballot file's format must be {FORMAT!r}; got {data.get('format')!r}."
        )
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
    if not _is_weight(data["eligible_weight"]):
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
        if not _is_weight(row["weight"]):
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
        eligible_weight=float(data["eligible_weight"]),
        ballots=data["ballots"],
        result=result,
        labels=data.get("labels", {}),
        meta=data.get("meta", {}),
    )


def _is_weight(value: object) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value >= 0
    )


def recount(ballot_file: BallotFile) -> Result:
    """Count the file's ballots again; raises ``InvalidBallot``/``InvalidParams`` for bad ones."""
    return count(
        method=ballot_file.method,
        options=ballot_file.options,
        ballots=((row["weight"], row["ballot"]) for row in ballot_file.ballots),
        params=ballot_file.params,
        eligible_weight=ballot_file.eligible_weight,
    )


def differences(recounted: Result, published: Mapping[str, Any]) -> list[str]:
    """Where (``outcome``, ``explanation.rounds``…) the recount differs from the published result.

    Both sides are compared as JSON, so 1 and 1.0 or a tuple and a list are equal.
    """
    ours = json.loads(json.dumps(recounted.to_dict()))
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
