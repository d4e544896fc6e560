"""The search benchmark's reference (bench/reference_app.py: one hand-written SELECT on
the index) returns the ids the search page shows an anonymous reader, in its order, and
the same count, on this database (SQLite's FTS5 or PostgreSQL's tsvector)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from bench.reference_app import search_rows
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.events.tests.factories import make_event
from chapterhouse.lib.interface import Viewer
from chapterhouse.search import selectors
from chapterhouse.search.tests.factories import make_corpus, reindex

pytestmark = pytest.mark.django_db


def test_the_reference_finds_what_the_page_shows_an_anonymous_reader(member, outsider):
    make_corpus(member)
    for number in range(25):
        make_thread(member, title=f"Thread {number}",
                    body="quokka " * (number % 4 + 1) + ("by the canal" if number % 3 else ""))
    make_event(author=outsider, title="Quokka walk by the canal")
    make_event(author=member, title="Members' quokka", is_public=False)
    reindex()
    for text in ("quokka", "park quokka", "Quökka", "canal", "nothing"):
        query = selectors.parse_query(text)
        assert query is not None
        ours = selectors.find(Viewer(AnonymousUser()), query, selectors.Filters()).entries
        expected = list(ours.values_list("id", flat=True)[:20])
        rows = search_rows(connection.connection, text)
        assert [row[0] for row in rows] == expected, text
        assert (rows[0][5] if rows else 0) == ours.count(), text
    assert len(expected) == 0 and len(search_rows(connection.connection, "quokka")) == 20


def test_the_reference_ranks_the_same_newest_matches(member, monkeypatch):
    from bench import reference_app

    assert reference_app.SEARCH_LIMIT == selectors.MAX_RESULTS
    monkeypatch.setattr(reference_app, "SEARCH_LIMIT", 4)
    monkeypatch.setattr(selectors, "MAX_RESULTS", 4)
    make_event(author=member, title="Quokka quokka quokka, the oldest")
    for number in range(6):
        make_event(author=member, title=f"Quokka {number}" + " quokka" * (number % 3))
    reindex()
    query = selectors.parse_query("quokka")
    assert query is not None
    ours = selectors.find(Viewer(AnonymousUser()), query, selectors.Filters()).entries
    expected = list(ours.values_list("id", flat=True))
    rows = search_rows(connection.connection, "quokka")
    assert [row[0] for row in rows] == expected and len(expected) == 4
    assert rows[0][5] == ours.count() == 4


def test_the_query_count_reports_what_the_page_counts(member, monkeypatch):
    """bench/querycount.py names the search row by the number the page shows (at most
    MAX_RESULTS, the total over every kind)."""
    from bench import querycount

    monkeypatch.setattr(selectors, "MAX_RESULTS", 4)
    for number in range(6):
        make_event(author=member, title=f"Quokka {number}")
    make_thread(member, title="A quokka thread", body="quokka")
    reindex()
    assert querycount.found("quokka") == 4
    assert querycount.found("thread") == 1
    assert querycount.found("zebra") == 0
