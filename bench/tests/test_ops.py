"""The in-process benchmark operations (bench/ops/) at a tiny size: their rows are correct,
their correctness checks catch a wrong result, and they leave the database as they found it."""

import pytest
from django.db import connection

from bench.ops import ballots, tree
from bench.ops.common import Context
from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import Chapter
from chapterhouse.decisions import services
from chapterhouse.decisions.models import Ballot, Proposal
from chapterhouse.discussions.models import Thread
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Notification

TINY = {"tree_repeat": 2, "tree_add_repeat": 2, "ballot_threads": 3, "ballots_per_thread": 2}


def tiny() -> Context:
    return Context(tier="S", rounds=2, ci=True, options=dict(TINY))


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Chapter, Proposal, Ballot, Thread, Notification, AuditEntry)}


@pytest.fixture
def organisation(db, member, facilitator, outsider):
    """Six members in London (Hackney, Islington, the city) and one in Lyon."""
    make_member("Nia Neighbour", city="London", neighbourhood="Islington")
    make_member("Bo Borough", city="London", neighbourhood="Islington")
    make_member("Cy City", city="London")
    make_member("Di Dweller", city="London")


def test_the_tree_operations_match_their_sql_and_leave_the_tree_as_it_was(organisation):
    before = [(c.path, c.numchild) for c in Chapter.objects.order_by("path")]

    rows = tree.measure(tiny())

    assert len(rows) == 4
    assert all(r["correct"] for r in rows), [r["notes"] for r in rows]
    assert [(c.path, c.numchild) for c in Chapter.objects.order_by("path")] == before


def test_a_tree_read_that_returns_other_rows_is_not_correct(organisation, monkeypatch):
    real = tree.children_sql
    monkeypatch.setattr(tree, "children_sql", lambda country: (real(country)[0], []))

    rows = {r["name"]: r for r in tree.measure(tiny())}

    wrong = rows["tree: children of a country (children_list, first page)"]
    assert wrong["correct"] is False
    assert wrong["pass"] is False
    assert sum(r["correct"] for r in rows.values()) == 3


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="concurrent voters need PostgreSQL")


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_ballots_match_the_raw_inserts_and_the_vote_is_deleted_after(organisation):
    before = counts()

    [result] = ballots.measure(tiny())

    assert result["correct"], result["notes"]
    assert result["ours"]["n"] == result["reference_stats"]["n"] == 2 * 6
    assert counts() == before


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ballots_stored_with_other_choices_are_not_correct(organisation, monkeypatch):
    real = services.cast_ballot
    monkeypatch.setattr(services, "cast_ballot",
                        lambda **kw: real(**{**kw, "ballot": {"choice": "abstain"}}))

    [result] = ballots.measure(tiny())

    assert result["correct"] is False
    assert "differ" in result["notes"]
