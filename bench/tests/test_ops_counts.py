"""The counting benchmark operations (bench/ops/tallies.py, notify.py and notify_roll.py) at a
tiny size: every row's result equals its reference's, and they leave no notices behind."""

import pytest
from django_tasks_db.models import DBTaskResult

from bench.ops import notify, notify_roll, tallies
from bench.ops.common import Context
from chapterhouse.decisions.models import Ballot, Proposal, RollEntry
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications import tasks
from chapterhouse.notifications.models import EmailPreference, Notification

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default", "email"]}}


def tiny(**options: object) -> Context:
    return Context(tier="S", rounds=2, ci=True, options={"tally_ballots": 300, **options})


@pytest.fixture
def organisation(db, member, facilitator, outsider):
    for i in range(6):
        make_member(f"Voter {i}", city="London", neighbourhood="Islington")


def test_every_tally_row_equals_its_reference(organisation):
    rows = tallies.measure(tiny())

    assert [r["correct"] for r in rows] == [True] * len(rows)
    names = " | ".join(r["name"] for r in rows)
    for part in ("Schulze", "instant-runoff", "approval", "score", "majority",
                 "read + count", "whole close"):
        assert part in names
    # The bench vote was made through the services and is still open after the rounds.
    vote = Proposal.objects.get(title=tallies.BENCH_TITLE)
    assert vote.status == Proposal.Status.VOTING
    assert Ballot.objects.filter(proposal=vote).count() == 9  # every member on the roll


def test_a_wrong_count_is_caught(organisation):
    options, ranks, weights, ranked = tallies.ballots_for(tiny(), 50)
    pairs = [(1.0, {"ranking": r}) for r in ranked]
    result = tallies.voting.count(method="schulze", options=options, ballots=pairs,
                                  params={}, eligible_weight=50.0)
    order = tallies.votelib_schulze(pairs, len(options))

    assert tallies.schulze_agrees(result, order)
    assert not tallies.schulze_agrees(result, order[::-1])


def test_notifying_everyone_stores_one_notice_per_member_like_the_copy(
    transactional_db, organisation, settings
):
    # Transactional: the op runs db_worker in process, which closes the connection
    # when it is done (PostgreSQL would lose the test's transaction).
    settings.TASKS = DATABASE_TASKS

    rows = notify.measure(tiny())

    assert [r["correct"] for r in rows] == [True] * len(rows)
    assert all(r["members"] == 9 for r in rows)
    assert not Notification.objects.filter(url=notify.URL).exists()


def test_notifying_a_roll_tells_it_but_the_excluded_like_the_copy_and_leaves_nothing(
    transactional_db, organisation, settings
):
    settings.TASKS = DATABASE_TASKS
    choices = EmailPreference.objects.count()

    rows = notify_roll.measure(tiny())

    assert [r["correct"] for r in rows] == [True] * len(rows), rows[0]["failures"]
    visible = rows[0]
    assert (visible["roll"], visible["excluded"], visible["told"]) == (9, 2, 7)
    assert visible["queries"]["large"]["delivery"] == visible["queries"]["small"]["delivery"]
    assert not Notification.objects.filter(url=notify_roll.URL).exists()
    assert not Proposal.objects.filter(title=notify_roll.TITLE).exists()
    assert not RollEntry.objects.exists()
    assert EmailPreference.objects.count() == choices
    assert not DBTaskResult.objects.exists()  # neither the fan-outs nor the email jobs


def test_emails_queued_against_the_members_choices_are_caught(
    transactional_db, organisation, settings, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    # The fan-out as if no member had chosen: every notice emailed, whatever the choices.
    monkeypatch.setattr(tasks, "emailed_each", lambda ids, kind: list(ids))

    rows = notify_roll.measure(tiny())

    assert [r["correct"] for r in rows] == [False, False]
    assert any("who turned this kind off" in f for f in rows[0]["failures"])
