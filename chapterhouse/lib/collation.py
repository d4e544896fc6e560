"""Ordering names as the reader's language orders them: "México" beside "Mexico",
not after "Mozambique"; "Ōsaka" among the O's, not after "Yokohama".

Two halves, one for each place lists are sorted:

- In Python, `sort_key(text)` is the Unicode Collation Algorithm with its default
  table (DUCET, which CLDR's root collation follows), through pyuca: pure Python,
  so it installs anywhere without a compiler or the system's ICU (PyICU ships only
  a source package that needs both). The root order is what English, French,
  German, Portuguese and Arabic use; Spanish differs by one letter, ñ, a letter
  of its own after n (CLDR's `&N<ñ<<<Ñ`), which `sort_key` adds for "es".
- In SQL, rows are ordered by a sort key column filled when they are written
  (`fold()` of the name in each language) and compared byte by byte
  (`localized_order()`), which SQLite does by default and PostgreSQL with
  COLLATE "C": the same order on both, whatever the database's own collation.
  Folding drops accents and case, so it agrees with the Python order except where
  only an accent tells two names apart.

pyuca keeps its table (30,677 entries of DUCET 9.0) as a trie of Python objects: about
14 MB in every app process that sorts a list, most of an app worker's budget.
`_CompactTable` holds the same entries in a few flat arrays (under 1 MB) and answers
pyuca's one question, the longest prefix of a text that the table has, the same way
(test_collation compares every entry's key with pyuca's own collator).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import F, Func
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import translation

if TYPE_CHECKING:
    import pyuca
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")

# Letters that Unicode does not decompose into a base letter plus accents.
_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
)
_NOT_WORD = re.compile(r"[\W_]+")
# After every letter, so "ña" sorts after "nz" and before "o" (U+10FFFD is a
# private-use code point: the algorithm gives it a weight above all letters).
_SPANISH_N = str.maketrans({"ñ": "n\U0010fffd", "Ñ": "N\U0010fffd"})

_collator: pyuca.Collator | None = None
_collator_lock = threading.Lock()


def fold(text: str) -> str:
    """Lowercase, without accents, punctuation as spaces: the form searched and,
    in SQL, sorted. "São Paulo" → "sao paulo", "Łódź" → "lodz", "Москва" → "москва"
    (letters of other scripts are kept, lowercased, without their marks)."""
    if text.isascii():  # the common case, and the same result much faster
        return _NOT_WORD.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL_LETTERS))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", text).strip()


Elements = list[list[int]]


class _CompactTable:
    """pyuca's table (code points → collation elements [primary, secondary, tertiary])
    in flat arrays, with pyuca.trie.Trie's `add` and `find_prefix`.

    Single code points (all but 868 entries) are a sorted array searched by bisection;
    contractions (several code points) a dict, with the set of their proper prefixes
    standing for the trie's inner nodes. The weights of every entry are one array of
    16-bit integers (DUCET's weights have four hex digits)."""

    def __init__(self) -> None:
        self._points = array("I")
        self._starts = array("I")
        self._counts = array("B")
        self._weights = array("H")
        self._contractions: dict[tuple[int, ...], tuple[int, int]] = {}
        self._prefixes: set[tuple[int, ...]] = set()

    def add(self, key: Sequence[int], value: Elements) -> None:
        start = len(self._weights)
        for element in value:
            self._weights.extend(element[:3])
        if len(key) == 1:
            self._points.append(key[0])
            self._starts.append(start)
            self._counts.append(len(value))
        else:
            self._contractions[tuple(key)] = (start, len(value))
            self._prefixes.update(tuple(key[:i]) for i in range(1, len(key)))

    def freeze(self) -> None:
        """Sort the single code points (stable: of two entries for one code point, the
        later wins, as in the trie)."""
        order = sorted(range(len(self._points)), key=self._points.__getitem__)
        self._points = array("I", (self._points[i] for i in order))
        self._starts = array("I", (self._starts[i] for i in order))
        self._counts = array("B", (self._counts[i] for i in order))

    def _elements(self, start: int, count: int) -> Elements:
        w = self._weights
        return [[w[i], w[i + 1], w[i + 2]] for i in range(start, start + 3 * count, 3)]

    def _value(self, key: tuple[int, ...]) -> Elements | None:
        if len(key) == 1:
            i = bisect_right(self._points, key[0]) - 1
            if i < 0 or self._points[i] != key[0]:
                return None
            return self._elements(self._starts[i], self._counts[i])
        found = self._contractions.get(key)
        return None if found is None else self._elements(*found)

    def find_prefix(self, key: list[int]) -> tuple[list[int], Elements | None, list[int]]:
        """(the longest prefix of `key` with a value, that value or None, the rest)."""
        length, value = 0, None
        for i in range(1, len(key) + 1):
            prefix = tuple(key[:i])
            found = self._value(prefix)
            if found is None and prefix not in self._prefixes:
                break  # no entry starts with this prefix: the trie has no such node
            if found:
                length, value = i, found
        return key[:length], value, key[length:]


def _get_collator() -> pyuca.Collator:
    # Reading the table takes about half a second: once per process, when the first
    # list is sorted. pyuca's algorithm, with its table in _CompactTable.
    global _collator
    if _collator is None:
        with _collator_lock:
            if _collator is None:
                import pyuca

                collator = pyuca.Collator.__new__(pyuca.Collator)
                table = _CompactTable()
                collator.table = table
                collator.implicit_weights = []
                collator.load(str(Path(pyuca.__file__).parent
                                  / f"allkeys-{collator.UCA_VERSION}.txt"))
                table.freeze()
                _collator = collator
    return _collator


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "en").split("-")[0].lower()


@lru_cache(maxsize=50_000)
def _key(text: str, spanish: bool) -> tuple[int, ...]:
    text = unicodedata.normalize("NFC", text)
    if spanish:
        text = text.translate(_SPANISH_N)
    return tuple(_get_collator().sort_key(text))


def sort_key(text: str, language: str | None = None) -> tuple[int, ...]:
    """The key that orders `text` as the reader of `language` (default: the active
    language) expects."""
    return _key(text, _language(language) == "es")


def sorted_by_name(
    items: Iterable[T], name: Callable[[T], str], language: str | None = None
) -> list[T]:
    """`items` in the order of their `name(item)` in `language` (default: active)."""
    spanish = _language(language) == "es"
    return sorted(items, key=lambda item: _key(name(item), spanish))


class _Bytewise(Func):
    """`expression` compared byte by byte: COLLATE "C" on PostgreSQL, SQLite's own
    default, so both order the folded keys alike."""

    template = "%(expressions)s"

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Any:
        return self.as_sql(compiler, connection, template='(%(expressions)s) COLLATE "C"')


def localized_order(
    *, keys: str = "sort_names", fallback: str = "sort_name", language: str | None = None
) -> Func:
    """An ORDER BY expression: the folded name in `language` from the JSON column
    `keys` ({language: folded name}), else the column `fallback` (the folded
    default name)."""
    return _Bytewise(Coalesce(KT(f"{keys}__{_language(language)}"), F(fallback)))


def localized_order_sql(
    vendor: str, *, keys: str, fallback: str, language: str | None = None
) -> tuple[str, list[str]]:
    """`localized_order()` for SQL written by hand: the ORDER BY term and its
    parameter, for quoted columns `keys` (JSON) and `fallback` on `vendor`'s database.
    The folded keys are strings, so SQLite's JSON_EXTRACT gives them as text."""
    language = _language(language)
    if vendor == "postgresql":
        return f'(COALESCE({keys} ->> %s, {fallback})) COLLATE "C"', [language]
    return f"COALESCE(JSON_EXTRACT({keys}, %s), {fallback})", [f'$."{language}"']
