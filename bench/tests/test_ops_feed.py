"""The member's feed in the benchmark (bench/ops/feed.py) at a tiny size: it matches its
hand-written SQL, a wrong reference is caught, and the follows it makes are removed."""

import pytest

from bench.ops import feed
from bench.ops.common import Context
from chapterhouse.activity import services
from chapterhouse.activity.models import Activity, Follow
from chapterhouse.activity.tests.factories import past_decision, record
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.resources.tests.factories import make_lesson


def tiny() -> Context:
    return Context(tier="S", rounds=2, ci=True, options={"feed_repeat": 2})


@pytest.fixture
def activity(db, member, outsider):
    record(make_lesson(member))
    record(make_entry(member))  # members only
    record(make_entry(outsider, title="Their members-only lift"))
    record(past_decision(outsider))
    record(make_lesson(outsider, title="Their lesson"))


def test_the_feed_matches_its_sql_and_leaves_no_follows(activity):
    [result] = feed.measure(tiny())
    assert result["correct"], result["notes"]
    assert result["items"] >= 4  # their own, and the busiest chapter followed
    assert not Follow.objects.exists()


def test_a_reference_that_returns_other_ids_is_not_correct(activity, monkeypatch):
    monkeypatch.setattr(feed, "feed_sql", lambda member: [])
    [result] = feed.measure(tiny())
    assert result["correct"] is False


def test_an_empty_activity_table_is_backfilled_first(member):
    make_lesson(member)
    assert not Activity.objects.exists()
    [result] = feed.measure(tiny())
    assert result["correct"] and result["items"] == 1
    services.backfill()
    assert Activity.objects.count() == 1
