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

from collections.abc import Mapping, Sequence
from typing import Any

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

#: The methods whose ballots have codes.
CODED_METHODS = frozenset({SCHULZE, IRV, APPROVAL, PLURALITY, MAJORITY, SUPERMAJORITY})
_LISTS = {SCHULZE: "ranking", IRV: "ranking", APPROVAL: "approve"}


def code_dtype(k: int) -> np.dtype[Any]:
    """The stored integer type for indices 0..k-1: one byte up to 256, else two (little-endian)."""
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
    return np.asarray(found, dtype=code_dtype(len(names))).tobytes()


def join_codes(codes: Sequence[bytes | memoryview | None]) -> tuple[bytes, np.ndarray]:
    """(one buffer, the number of bytes of each ballot) from one code string per ballot,
    for ``prepare_codes``. Raises ``InvalidParams`` when a ballot has none."""
    if any(c is None for c in codes):
        raise InvalidParams("Every ballot needs its codes.")
    sizes = np.fromiter(map(len, codes), dtype=np.intp, count=len(codes))  # type: ignore[arg-type]
    return b"".join(codes), sizes  # type: ignore[arg-type]


def decode(buffer: Any, counts: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes per ballot, all the codes as one array) from a buffer of them all and the
    number of bytes (not codes) of each ballot, as a database hands them over."""
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
