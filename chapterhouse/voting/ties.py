"""The public lot: a deterministic order of the options that anyone can recompute.

``lot_order(seed, options)`` sorts the option ids by the hex SHA-256 digest of the
UTF-8 bytes of ``seed + option_id`` (ties between digests, which do not happen in
practice, by option id). When ``tie_break`` is ``"lot"``, a tie for the win goes to
the tied option that comes first in this order, and an elimination tie (instant-runoff)
eliminates the tied option that comes last. The seed is published with the vote, so
the order is fixed before anyone sees a result yet can be checked by anyone afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def lot_digest(seed: str, option: str) -> str:
    return hashlib.sha256((seed + option).encode("utf-8")).hexdigest()


def lot_order(seed: str, options: Sequence[str]) -> list[str]:
    """The options in lot order: the first wins a tie, the last loses one."""
    return sorted(options, key=lambda option: (lot_digest(seed, option), option))
