"""Reading the index: the viewer's audience keys, the query, facets and snippets.

Permissions are applied in the query: `audience IN (the viewer's keys)` is part of
every SELECT that counts or returns entries, so nothing the viewer may not see is
counted, ranked or snippeted.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, FloatField, Func, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.chat.models import RoomMember
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import Viewer

from .models import Entry
from .sources import (
    MEMBERS,
    PUBLIC,
    chapter_audience,
    member_audience,
    room_audience,
)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
SNIPPET_LENGTH = 220
# The newest matches that are ranked and shown (see `search`).
MAX_RESULTS = 1_000
# The reader's language → PostgreSQL's stemming configuration (Arabic: none).
PG_CONFIG_OF = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese",
                "de": "german"}

_PHRASE = re.compile(r'"([^"]*)"?')
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents (what both backends match on)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Query:
    """A parsed query: terms (a word, or a quoted phrase's words), all required."""

    terms: tuple[tuple[str, ...], ...]

    @property
    def has_phrase(self) -> bool:
        return any(len(term) > 1 for term in self.terms)

    @property
    def words(self) -> list[str]:
        return [word for term in self.terms for word in term]

    def fts5(self) -> str:
        """SQLite FTS5's MATCH: every term quoted (no operator of the user's)."""
        return " ".join('"' + " ".join(term) + '"' for term in self.terms)

    def websearch(self) -> str:
        """PostgreSQL's websearch_to_tsquery text: every term quoted, so "or" and "-"
        are words, as in FTS5."""
        return " ".join('"' + " ".join(term) + '"' for term in self.terms)


def parse_query(text: str) -> Query | None:
    """The query in `text`; None when there is nothing to search (an empty box).
    Refused (with a message for the reader) when it is too long or has no word."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_LENGTH:
        raise Refused(_("Search for at most %(count)d characters.")
                      % {"count": MAX_QUERY_LENGTH})
    terms: list[tuple[str, ...]] = []
    position = 0
    for match in _PHRASE.finditer(text):
        terms += [(word,) for word in _WORD.findall(fold(text[position:match.start()]))]
        phrase = tuple(_WORD.findall(fold(match.group(1))))
        if phrase:
            terms.append(phrase)
        position = match.end()
    terms += [(word,) for word in _WORD.findall(fold(text[position:]))]
    terms = list(dict.fromkeys(terms))
    if not terms:
        raise Refused(_("Type at least one word to search for."))
    if len(terms) > MAX_TERMS:
        raise Refused(_("Search for at most %(count)d words.") % {"count": MAX_TERMS})
    return Query(terms=tuple(terms))


def audience_keys(viewer: Viewer) -> list[str]:
    """Everything the viewer may find, as audience keys (two queries for a member:
    the chapters they belong to, the rooms they are in; none for anyone else)."""
    keys = [PUBLIC]
    member = viewer.active_member
    if member is None:
        return keys
    keys += [MEMBERS, member_audience(member.pk)]
    chapter_ids = list(Chapter.objects.containing(member.home_chapter)
                       .values_list("pk", flat=True))
    keys += [chapter_audience(pk) for pk in chapter_ids]
    # A room's members who still belong to its chapter (chat.selectors.is_room_member).
    keys += [room_audience(pk) for pk in
             RoomMember.objects.filter(member=member, room__chapter_id__in=chapter_ids)
             .values_list("room_id", flat=True)]
    return keys


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    chapter: Chapter | None = None
    since: date | None = None
    until: date | None = None


def _search_query(query: Query, language: str) -> SearchQuery:
    """PostgreSQL's query for `query`: the words as written ('simple', accents removed),
    or with the reader's language's stemming."""
    search = SearchQuery(Func(Value(query.websearch()), function="unaccent"),
                         config="simple", search_type="websearch")
    config = PG_CONFIG_OF.get(language)
    # The reader's language adds its stemming to words; a phrase is matched as written
    # (stemming drops stop words, and "bench is green" would match "bench … green").
    if config is not None and not query.has_phrase:
        search = search | SearchQuery(Func(Value(query.websearch()), function="unaccent"),
                                      config=config, search_type="websearch")
    return search


def _matching(query: Query, language: str) -> QuerySet[Entry]:
    """The entries matching `query` (unranked)."""
    if connection.vendor == "postgresql":
        return Entry.objects.filter(vector=_search_query(query, language))
    return Entry.objects.filter(
        id__in=RawSQL("SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s",
                      (query.fts5(),)),
    )


def _ranked(entries: QuerySet[Entry], query: Query, language: str) -> QuerySet[Entry]:
    """`entries` with their `rank` for `query` (higher is better)."""
    if connection.vendor == "postgresql":
        return entries.annotate(rank=SearchRank(F("vector"), _search_query(query, language)))
    return entries.annotate(rank=RawSQL(
        # bm25: lower is better; the title weighs ten times the body.
        "(SELECT -bm25(search_entry_fts, 10.0, 1.0) FROM search_entry_fts "
        "WHERE search_entry_fts MATCH %s AND search_entry_fts.rowid = search_entry.id)",
        (query.fts5(),), output_field=FloatField()))


def _newest(query: Query, filters: Filters, keys: list[str], language: str, *,
            kind: bool, limit: int) -> QuerySet[Entry, tuple[int, str]]:
    """(id, kind) of the `limit` newest entries the viewer may find matching `query` and
    `filters`, newest first (the full-text index finds the matches; the date index
    walks them newest first when the planner finds that cheaper)."""
    entries = _filtered(_matching(query, language), filters, keys, kind=kind)
    return entries.order_by("-date", "-pk").values_list("pk", "kind")[:limit]


@dataclass(frozen=True)
class Found:
    """What a search finds: `entries`, the results best first (`count` of them, at most
    MAX_RESULTS); `counts`, how many of each kind the viewer finds, the kind filter
    aside, among the MAX_RESULTS + 1 newest matches; `more`, whether there are more
    matches than MAX_RESULTS (each kind's count is then "at least")."""

    entries: QuerySet[Entry]
    count: int
    counts: dict[str, int]
    more: bool

    @property
    def total(self) -> int:
        """How many the viewer finds, at most MAX_RESULTS (with `more`: "at least")."""
        return min(sum(self.counts.values()), MAX_RESULTS)

    @property
    def cut(self) -> bool:
        """Whether the results stop at MAX_RESULTS while there are more."""
        return self.more and self.count == MAX_RESULTS

    def paginator(self, per_page: int) -> Paginator[Entry]:
        """A paginator of the results, counted already (no COUNT query)."""
        paginator = Paginator(self.entries, per_page)
        paginator.count = self.count  # a cached_property: set, it is not counted
        return paginator


def find(viewer: Viewer, query: Query, filters: Filters, *,
         language: str = "en", keys: list[str] | None = None) -> Found:
    """The entries the viewer may find, matching `query` and `filters`: the MAX_RESULTS
    newest matches, ranked, with their counts by kind. Ranking reads every candidate's
    whole text, so ranking all of a common word's matches took seconds at a million
    members (2.5 s for 42,690 matches); older matches are reached by narrowing the
    search (a chapter, dates, a kind). Two queries (three with a kind filter: the
    kind's own newest), whatever the number of matches."""
    keys = keys if keys is not None else audience_keys(viewer)
    newest = list(_newest(query, filters, keys, language, kind=False,
                          limit=MAX_RESULTS + 1))
    if filters.kind:
        ids = [pk for pk, _kind in _newest(query, filters, keys, language, kind=True,
                                           limit=MAX_RESULTS)]
    else:
        ids = [pk for pk, _kind in newest[:MAX_RESULTS]]
    entries = _ranked(Entry.objects.filter(pk__in=ids), query, language).order_by(
        "-rank", "-date", "-pk")
    return Found(entries=entries, count=len(ids), counts=dict(Counter(
        kind for _pk, kind in newest)), more=len(newest) > MAX_RESULTS)


def _filtered(entries: QuerySet[Entry], filters: Filters, keys: list[str], *,
              kind: bool) -> QuerySet[Entry]:
    entries = entries.filter(audience__in=keys)
    if kind and filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.chapter is not None:
        # The chapter and below it (a path prefix, copied on the entry).
        entries = entries.filter(chapter_path__startswith=filters.chapter.path)
    if filters.since is not None:
        entries = entries.filter(date__date__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(date__date__lte=filters.until)
    return entries


def highlight(text: str, query: Query, *, length: int | None = None) -> SafeString:
    """`text` escaped, the query's words in <mark>; cut to about `length` characters
    around the first match when given."""
    folded_chars = []
    owner: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        folded_chars.append(piece)
        owner += [index] * len(piece)
    folded = "".join(folded_chars)
    words = sorted(set(query.words), key=len, reverse=True)
    spans: list[tuple[int, int]] = []
    if words and folded:
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, words)) + r")(?![^\W_])")
        for found in pattern.finditer(folded):
            spans.append((owner[found.start()], owner[found.end() - 1] + 1))
    start, end = 0, len(text)
    if length is not None and len(text) > length:
        first = spans[0][0] if spans else 0
        start = max(0, first - length // 3)
        end = min(len(text), start + length)
    pieces = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        pieces += [escape(text[cursor:span_start]), "<mark>",
                   escape(text[span_start:span_end]), "</mark>"]
        cursor = span_end
    pieces.append(escape(text[cursor:end]))
    if end < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))  # noqa: S308  (every piece of text escaped)
