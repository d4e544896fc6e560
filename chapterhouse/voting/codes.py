"""Ballots as compact integer codes: what a database stores beside each ballot's JSON
so that a count reads them straight into numpy.

A ballot's codes are the option indices it lists, in its order, as little-endian
unsigned integers of ``code_dtype(k)`` (one byte each up to 256 options, two beyond):

- schulze / irv: the ranking, best first (a truncated ranking is shorter);
- approval: the approved options, in the ballot's order;
- plurality: the one option;
- majority / supermajority: the index of the choice in ``CHOICES`` (yes 0, no 1,
  abstain 2); a reason, which these methods never count, is not coded;
- a blank ballot (``{}``): no bytes.

Consent and consensus (whose reasons are part of the count) and score have no codes:
``encode`` gives None and they are counted from their JSON. The codes are a storage
format: they never change meaning, so codes stored years ago read the same.

``prepare_codes`` counts coded ballots exactly as ``prepare`` counts the ballots they
code (the same arrays, so the same Result), checking every code as it goes: a code out
of range, a repeated option or a yes/no ballot with two codes raise ``InvalidBallot``
with the ballot's ``index``.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from .errors import InvalidBallot, InvalidParams
from .params import (
    APPROVAL,
    CHOICES,
    IRV,
    MAJORITY,
    PLURALITY,
    SCHULZE,
    SUPERMAJORITY,
)
from .weights import to_text

#: The methods whose ballots have codes.
CODED_METHODS = frozenset({SCHULZE, IRV, APPROVAL, PLURALITY, MAJORITY, SUPERMAJORITY})
_LISTS = {SCHULZE: "ranking", IRV: "ranking", APPROVAL: "approve"}


def code_dtype(k: int) -> np.dtype[Any]:
    """The stored integer type for indices 0..k-1: one byte up to 256, else two (little-endian)."""
    import numpy as np

    return np.dtype(np.uint8) if k <= 256 else np.dtype("<u2")


def universe(method: str, options: Sequence[str]) -> list[str]:
    """What a method's codes index: its choices (yes/no methods) or its options."""
    return list(CHOICES[method]) if method in (MAJORITY, SUPERMAJORITY) else list(options)


def encode(method: str, options: Sequence[str], ballot: Mapping[str, Any]) -> bytes | None:
    """The codes of a valid, normalised ballot (``validate_ballot``'s result), or None
    for a method without codes. Raises ``InvalidBallot`` for an id it does not know."""
    if method not in CODED_METHODS:
        return None
    names = universe(method, options)
    if not ballot:
        listed: list[Any] = []
    elif method in _LISTS:
        listed = list(ballot[_LISTS[method]])
    else:
        listed = [ballot["option" if method == PLURALITY else "choice"]]
    index = {name: i for i, name in enumerate(names)}
    try:
        found = [index[name] for name in listed]
    except (KeyError, TypeError):
        raise InvalidBallot("The ballot names an option this vote does not have.",
                            code="unknown_option") from None
    # Bytes as code_dtype lays them out, without numpy: casting a ballot never loads it.
    return bytes(found) if len(names) <= 256 else struct.pack(f"<{len(found)}H", *found)


def join_codes(codes: Sequence[bytes | memoryview | None]) -> tuple[bytes, np.ndarray]:
    """(one buffer, the number of bytes of each ballot) from one code string per ballot,
    for ``prepare_codes``. Raises ``InvalidParams`` when a ballot has none."""
    if any(c is None for c in codes):
        raise InvalidParams("Every ballot needs its codes.")
    import numpy as np

    sizes = np.fromiter(map(len, codes), dtype=np.intp, count=len(codes))  # type: ignore[arg-type]
    return b"".join(codes), sizes  # type: ignore[arg-type]


def decode(buffer: Any, counts: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes per ballot, all the codes as one array) from a buffer of them all and the
    number of bytes (not codes) of each ballot, as a database hands them over."""
    import numpy as np

    dtype = code_dtype(k)
    sizes = np.asarray(counts, dtype=np.intp)
    if sizes.ndim != 1 or (sizes < 0).any() or (sizes % dtype.itemsize).any():
        raise InvalidParams("Ballot codes must be whole numbers of codes.")
    flat = np.frombuffer(buffer, dtype=dtype)
    if flat.size * dtype.itemsize != int(sizes.sum()):
        raise InvalidParams("The ballot codes do not add up to the buffer.")
    return sizes // dtype.itemsize, flat


def bad_codes(index: int, message: str) -> InvalidBallot:
    return InvalidBallot(f"Ballot {index + 1}: {message}", code="bad_codes", index=index)


_KEYS = {SCHULZE: "ranking", IRV: "ranking", APPROVAL: "approve", PLURALITY: "option",
         MAJORITY: "choice", SUPERMAJORITY: "choice"}
_CHUNK = 1 << 17  # ballots spelled and hashed at a time


def digest(*, method: str, options: Sequence[str], codes: Any, sizes: Any,
           units: np.ndarray, denominator: int) -> str | None:
    """sha256 hex of the open ballots (receipt null) as a ballot file lists them, from
    their codes and exact weights (``units`` of 1/``denominator``, as ``Prepared``
    holds them): the canonical JSON (sorted keys, no spaces, UTF-8 as is) of the rows
    ``make_ballot_file`` makes of the ballots the codes stand for, in its order. None
    when it cannot be spelled this way (weights beyond float64's exact sums).

    The same bytes as spelling each ballot, without a Python object per ballot: the
    file's order (by the ballot's JSON, then its weight) is a sort of the codes by the
    rank of each option's JSON spelling, where a ballot that is the beginning of a
    longer one comes after it and a blank one last; the text is spelled by one
    ``str.translate`` of the sorted codes, each ballot bracketed by markers.
    """
    import numpy as np

    if method not in CODED_METHODS or units.dtype == object:
        return None
    names = universe(method, options)
    k = len(names)
    lengths, flat = decode(codes, sizes, k)
    n = lengths.shape[0]
    hasher = hashlib.sha256()
    if n == 0:
        hasher.update(b"[]")
        return hasher.hexdigest()
    # The file's order: its sort key is json.dumps(ballot, sort_keys=True), ASCII.
    ascii_rank = np.empty(k, dtype=np.int32)
    ascii_rank[sorted(range(k), key=lambda i: json.dumps(names[i]))] = np.arange(k)
    width = max(int(lengths.max()), 1)
    starts = np.cumsum(lengths) - lengths
    within = np.arange(flat.size) - np.repeat(starts, lengths)  # each code's place
    # The ranks of a ballot's places packed into 63-bit words, first place highest, so
    # comparing the words compares the ballots; a place past the end holds k.
    bits = k.bit_length()
    per_word = 63 // bits
    words = -(-width // per_word)
    shift = (bits * (per_word - 1 - within % per_word)).astype(np.uint64)
    parts = ascii_rank[flat].astype(np.uint64) << shift
    pad = np.zeros((width + 1, words), dtype=np.uint64)  # the ends, by ballot length
    for length in range(width + 1):
        for place in range(length, words * per_word):
            pad[length, place // per_word] += np.uint64(k) << np.uint64(
                bits * (per_word - 1 - place % per_word))
    packed = pad[lengths].copy()
    if words == 1 and flat.size:
        nonblank = lengths > 0
        packed[nonblank, 0] += np.add.reduceat(parts, starts[nonblank])
    elif flat.size:
        np.add.at(packed, (np.repeat(np.arange(n), lengths), within // per_word), parts)
    weights, weight_of = np.unique(units, return_inverse=True)
    weight_of = weight_of.reshape(-1)
    if 2 * k + 2 * weights.size + 1 >= 0xD800:  # code points stay below the surrogates
        return None
    order = np.lexsort((weight_of, *(packed[:, j] for j in reversed(range(words)))))
    # Code points: 0..k-1 a later option, k..2k-1 a first option, then per weight the
    # end of a ballot and a blank ballot, and the start of a ballot.
    key, listed = _KEYS[method], method in _LISTS
    spelled = [json.dumps(name, ensure_ascii=False) for name in names]
    texts = [to_text(Fraction(int(u), denominator)) for u in weights.tolist()]
    table: list[str] = [f",{s}" for s in spelled] + spelled
    ends = 2 * k
    close = "]" if listed else ""
    table += [close + '},"receipt":null,"weight":' + json.dumps(t) + "},"  for t in texts]
    blanks = len(table)
    table += ['{"ballot":{},"receipt":null,"weight":' + json.dumps(t) + "}," for t in texts]
    start = len(table)
    table.append('{"ballot":{' + json.dumps(key) + ":" + ("[" if listed else ""))
    hasher.update(b"[")
    for first in range(0, n, _CHUNK):
        chosen = order[first:first + _CHUNK]
        size = lengths[chosen]
        blank = size == 0
        span = np.where(blank, 1, size + 2)  # code points per ballot
        at = np.cumsum(span) - span
        stream = np.empty(int(span.sum()), dtype=np.uint32)
        stream[at] = np.where(blank, blanks, start) + np.where(blank, weight_of[chosen], 0)
        full = ~blank
        stream[(at + span - 1)[full]] = ends + weight_of[chosen][full]
        # Each ballot's codes, gathered in the sorted order, after its start.
        took = size[full]
        offset = np.arange(int(took.sum())) - np.repeat(np.cumsum(took) - took, took)
        stream[np.repeat(at[full] + 1, took) + offset] = flat[
            np.repeat(starts[chosen][full], took) + offset]
        stream[at[full] + 1] += k  # the first option of a ballot has no comma before it
        text = stream.tobytes().decode("utf-32-le").translate(table)
        if first + _CHUNK >= n:
            text = text[:-1] + "]"
        hasher.update(text.encode())
    return hasher.hexdigest()
