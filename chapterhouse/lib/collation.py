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
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
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


def _get_collator() -> pyuca.Collator:
    # Reading the table takes about half a second and 12 MB: once per process,
    # when the first list is sorted.
    global _collator
    if _collator is None:
        with _collator_lock:
            if _collator is None:
                import pyuca

                _collator = pyuca.Collator()
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
