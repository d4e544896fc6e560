"""Search results as pages and the API show them: labelled by kind, highlighted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.safestring import SafeString

from .models import Entry
from .selectors import SNIPPET_LENGTH, Query, highlight
from .sources import BY_KIND, SOURCES


@dataclass(frozen=True)
class Result:
    kind: str
    kind_label: str
    title: SafeString
    snippet: SafeString
    url: str
    date: datetime


@dataclass(frozen=True)
class Facet:
    kind: str
    label: str
    count: int
    chosen: bool


def result(entry: Entry, query: Query) -> Result:
    source = BY_KIND.get(entry.kind)
    return Result(
        kind=entry.kind, kind_label=str(source.label) if source else entry.kind,
        title=highlight(entry.title, query), url=entry.url, date=entry.date,
        snippet=highlight(entry.body, query, length=SNIPPET_LENGTH),
    )


def results(entries: Iterable[Entry], query: Query) -> list[Result]:
    return [result(entry, query) for entry in entries]


def facets(counts: dict[str, int], chosen: str) -> list[Facet]:
    """The kinds found, in the sources' order, with their counts."""
    return [Facet(kind=source.kind, label=str(source.label), count=counts[source.kind],
                  chosen=source.kind == chosen)
            for source in SOURCES if counts.get(source.kind)]
