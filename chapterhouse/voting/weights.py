"""Exact weights: every weight is a rational number, and no count ever rounds one.

Why this representation
-----------------------
A rounded weight can decide or block a vote: with weights counted in millionths, five
ballots of 2/3 weighed more than their own roll, a true tie of 2/3 against 1/3 + 1/3
elected one side, and weights under 5e-7 vanished. So:

- A weight is read as the exact rational it stands for (``exact``): an int, a
  ``Fraction``, a ``Decimal``, a string (``"1.5"``, ``"2/3"``) exactly; a float as the
  simplest fraction that the float is the nearest float to (``2/3`` → 2/3, ``0.1`` →
  1/10, ``1e-7`` → 1/10000000), as thresholds are read. Exact inputs stay exact; a
  float never loses more than it already had.
- For a count, the weights are scaled by one common denominator ``D`` (the lcm of their
  denominators), so each becomes a whole number of units (``to_units``). The tallies are
  sums of whole numbers: in a float64 array when every sum stays below 2**53 (so numpy's
  C loops and BLAS add them exactly, as fast as before), else in an array of Python
  ints (exact at any size, slower). A recount in any ballot order gives the identical
  result, and 2/3 against 1/3 + 1/3 is a tie.
- Published weights (results, explanations, ballot files ``chapterhouse-ballots/2``)
  are strings: ``"3"``, ``"1.5"``, or ``"2/3"`` when the decimal would not end
  (``to_text``); ``exact`` reads them back.

The Django app stores stated weights as decimals with 6 places (what a member types),
so its common denominator is at most 10**6.

Limits (clear ``InvalidParams``, never a crash): a weight is at most ``MAX_WEIGHT`` and
its denominator at most ``MAX_DENOMINATOR``; text is at most 200 characters.
"""

from __future__ import annotations

import math
import numbers
import sys
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import InvalidParams

if TYPE_CHECKING:
    import numpy as np

#: What a weight may be given as.
Weight = int | float | Fraction | Decimal | str

MAX_WEIGHT = 10**15
MAX_TOTAL = 10**24  # an eligible weight (a sum of weights)
MAX_DENOMINATOR = 10**18
_MAX_TEXT = 200
_EXACT_FLOAT_SUM = 2**53  # float64 adds whole numbers exactly while every sum is below this


def _simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The fraction with the smallest denominator in [lo, hi] (0 <= lo <= hi)."""
    n = math.floor(lo)
    if n == lo:
        return Fraction(n)
    if n + 1 <= hi:
        return Fraction(n + 1)
    return n + 1 / _simplest_between(1 / (hi - n), 1 / (lo - n))


def from_float(x: float) -> Fraction:
    """The simplest fraction whose nearest float is ``x`` (x finite, >= 0)."""
    exact_value = Fraction(x)
    if x == 0:
        return exact_value
    down, up = math.nextafter(x, 0.0), math.nextafter(x, math.inf)
    lo = (exact_value + Fraction(down)) / 2
    hi = (exact_value + Fraction(up)) / 2
    simple = _simplest_between(lo, hi)
    return simple if float(simple) == x else exact_value


def _bad(message: str) -> InvalidParams:
    return InvalidParams(message)


def _from_numpy(value: object) -> object:
    """A numpy bool, integer or float as the Python one it holds; anything else as it is.
    numpy is looked up, not imported (a page that shows weights needs none of it): a
    value can only be a numpy scalar once numpy is loaded."""
    np = sys.modules.get("numpy")
    if np is None:
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def exact(value: object, what: str = "A weight", *, limit: int = MAX_WEIGHT) -> Fraction:
    """``value`` as an exact non-negative Fraction of at most ``limit``, or ``InvalidParams``."""
    value = _from_numpy(value)
    if isinstance(value, bool):
        raise _bad(f"{what} must be a number.")
    result: Fraction
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, int):
        result = Fraction(int(value))
    elif isinstance(value, float):
        x = float(value)
        if not math.isfinite(x):
            raise _bad(f"{what} must be a finite number.")
        if x < 0:
            raise _bad(f"{what} must be at least 0.")
        if x > limit:
            raise _bad(f"{what} must be at most {limit:.0e}.")
        result = from_float(x)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _bad(f"{what} must be a finite number.")
        if value and not -18 <= value.adjusted() <= len(str(limit)):
            raise _bad(f"{what} must be at most {limit:.0e} and at least 1e-18 (or 0).")
        result = Fraction(value)
    elif isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise _bad(f"{what} is too long to be a number.")
        try:
            result = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise _bad(f"{what} must be a number or a fraction like 2/3.") from None
    elif isinstance(value, numbers.Rational):
        result = Fraction(int(value.numerator), int(value.denominator))
    else:
        raise _bad(f"{what} must be a number.")
    if result < 0:
        raise _bad(f"{what} must be at least 0.")
    if result > limit:
        raise _bad(f"{what} must be at most {limit:.0e}.")
    if result.denominator > MAX_DENOMINATOR:
        raise _bad(f"{what} is too fine: its denominator must be at most {MAX_DENOMINATOR:.0e}.")
    return result


def to_text(value: Fraction | Decimal | int) -> str:
    """An exact weight as text: ``"3"``, ``"1.5"``, or ``"2/3"`` when no decimal ends."""
    f = value if type(value) is Fraction else Fraction(value)
    d = f.denominator
    if d == 1:
        return str(f.numerator)
    places = _decimal_places(d)
    if places is None:
        return f"{f.numerator}/{d}"
    digits = str(f.numerator * 10**places // d).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}"


@lru_cache(maxsize=1024)
def _decimal_places(denominator: int) -> int | None:
    """How many decimal places a fraction in lowest terms over ``denominator`` ends at
    (the larger of its powers of 2 and 5), or None when its decimal never ends. A count
    writes thousands of weights over the same few denominators (a breakdown's matrices)."""
    d, twos, fives = denominator, 0, 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return max(twos, fives) if d == 1 else None


_SAMPLE = 1 << 14


def _unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` without sorting a big array when its
    few distinct values all show in its first _SAMPLE entries (a roll's handful of
    weights): each value is then looked up among those by binary search."""
    import numpy as np

    if values.size > 4 * _SAMPLE:
        seen = np.unique(values[:_SAMPLE])
        if seen.size <= 64:
            inverse = np.searchsorted(seen, values)
            np.minimum(inverse, seen.size - 1, out=inverse)
            if np.array_equal(seen[inverse], values):
                return seen, inverse
    uniques, inverse = np.unique(values, return_inverse=True)
    return uniques, inverse.reshape(-1)


_DYADIC_DENOMINATOR = 1 << 10  # the float fast path's largest common denominator
_DYADIC_UNITS = 1 << 40  # ... and its largest unit count of one weight


def _dyadic_units(weights: np.ndarray) -> tuple[np.ndarray, int] | None:
    """``to_units`` of a big float64 array (finite, non-negative) in a few C passes, when
    its first _SAMPLE weights read as fractions over a power of two D ≤ 2**10 and every
    weight times D is a whole number below 2**40 (a roll's 0.5, 1, 2, 3): None otherwise.

    Such a float x = u/D is exactly the fraction ``exact`` reads: any fraction with a
    denominator ≤ D other than u/D is at least 1/D**2 away, and the float's half-ulp
    is below 2**-13 / D (x < 2**40 / D), less than 1/D**2 for D ≤ 2**10, so u/D is the
    simplest fraction x is the nearest float to. Multiplying by a power of two is
    exact, so the units are the same float64 array the general path builds, D the lcm
    of all the denominators (each is a power of two no larger than the sample's)."""
    import numpy as np

    if weights.dtype != np.float64 or weights.size <= 4 * _SAMPLE:
        return None
    fractions = [exact(u.item()) for u in np.unique(weights[:_SAMPLE])]
    denominator = math.lcm(*(f.denominator for f in fractions))
    if denominator > _DYADIC_DENOMINATOR or denominator & (denominator - 1):
        return None
    units = weights * denominator
    if not (units.max() < _DYADIC_UNITS and np.array_equal(units, np.rint(units))):
        return None
    if units.sum() >= _EXACT_FLOAT_SUM // 2:  # near the limit the float sum may round
        return None
    return units, denominator


def to_units(weights: Any) -> tuple[np.ndarray, int]:
    """Weights as whole numbers of 1/D, and D (the lcm of their denominators).

    The array is float64 when every sum of its entries is exact in float64, else an
    array of Python ints. Each distinct weight is converted once.
    """
    import numpy as np

    if not isinstance(weights, np.ndarray):
        values = list(weights)
        kinds = set(map(type, values))
        # Plain floats (and small ints): one numpy conversion, then the array path.
        if kinds and kinds <= {float, int} and (
            int not in kinds or -_EXACT_FLOAT_SUM < min(values) <= max(values) < _EXACT_FLOAT_SUM
        ):
            weights = np.asarray(values, dtype=np.float64)
        else:
            weights = values
    if isinstance(weights, np.ndarray) and weights.dtype.kind in "fiu":
        if weights.ndim != 1:
            raise InvalidParams("There must be exactly one weight per ballot.")
        if weights.dtype.kind == "f" and not np.all(np.isfinite(weights)):
            raise InvalidParams("Weights must be finite numbers of at least 0.")
        if weights.size and weights.min() < 0:
            raise InvalidParams("Weights must be finite numbers of at least 0.")
        fast = _dyadic_units(weights)
        if fast is not None:
            return fast
        uniques, inverse = _unique(weights)
        fractions = [exact(u.item()) for u in uniques]
        counts = np.bincount(inverse, minlength=len(fractions)).tolist()
    else:
        values = list(weights)
        if any(issubclass(kind, bool | np.bool_) for kind in set(map(type, values))):
            raise InvalidParams("Weights must be numbers.")
        # Equal numbers (1, 1.0, Decimal("1")) are the same exact weight: one key.
        index: dict[Any, int] = {}
        fractions = []
        try:
            codes = [index.setdefault(value, len(index)) for value in values]
        except TypeError:  # unhashable: not a number
            raise InvalidParams("Weights must be numbers.") from None
        fractions = [exact(value) for value in index]
        inverse = np.asarray(codes, dtype=np.intp)
        counts = np.bincount(inverse, minlength=len(fractions)).tolist() if codes else []
    denominator = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    numerators = [f.numerator * (denominator // f.denominator) for f in fractions]
    total = sum(n * c for n, c in zip(numerators, counts, strict=True))
    if total < _EXACT_FLOAT_SUM:
        table = np.asarray(numerators, dtype=np.float64)
    else:
        table = np.empty(len(numerators), dtype=object)
        table[:] = numerators
    return table[inverse], denominator

