"""bench/generate.py at a tiny size: valid data for the decisions engine, found again."""

from typing import Any

import pytest

from bench import generate as bench
from chapterhouse.audit.models import AuditEntry
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import (
    Ballot,
    Decision,
    Participation,
    Proposal,
    RollEntry,
    SecretBallot,
)
from chapterhouse.demo import people as demo
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.members.models import Member
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db

SIZES: dict[str, Any] = {"proposals": 40, "posts": 300, "local_votes": 9, "large": 10, "small": 2,
         "comments": 20, "seed": 1}


@pytest.fixture
def organisation() -> None:
    for name, population in (("London", 8_900_000), ("Leeds", 450_000), ("York", 200_000)):
        make_city(name, population=population)
    for name, population in (("Paris", 2_100_000), ("Lyon", 520_000)):
        make_city(name, region=("FR-IDF", "Île-de-France"), country=("FR", "France"),
                  population=population)
    make_city("Berlin", region=None, country=("DE", "Germany"), population=3_400_000)
    demo.seed_demo(members=150, chapters=20)


def run() -> dict:
    return bench.generate(**SIZES, say=lambda message: None)


def test_the_featured_proposals_have_exactly_their_comments(organisation):
    record = run()
    for key, comments in (("comments_proposal", 20), ("few_comments_proposal", 3)):
        proposal = Proposal.objects.get(public_id=record[key]["public_id"])
        thread = Thread.objects.get(kind="deliberation", subject_id=str(proposal.pk))
        assert thread.posts.count() == thread.post_count == record[key]["posts"] == comments
        assert record[key]["comments"] == comments
    busiest = Thread.objects.filter(kind="deliberation").order_by("-post_count").first()
    assert busiest is not None and busiest.subject_id == str(record["comments_proposal"]["id"])
    assert Thread.objects.filter(kind="deliberation", post_count=20).count() == 1
    for thread in Thread.objects.all():
        assert thread.post_count == thread.posts.count()
        assert not thread.posts.exclude(reply_to=None).exclude(reply_to__thread=thread).exists()
    # 300 posts; a deliberation opens with no post, as publishing opens it.
    assert Post.objects.count() == 300
    assert Proposal.objects.filter(chapter__url_path=record["large_chapter"]).count() == 10


def test_the_international_vote_closes_with_a_decision(organisation):
    record = run()
    vote = record["international_vote"]
    proposal = Proposal.objects.get(public_id=vote["public_id"])
    assert proposal.status == Proposal.Status.VOTING and proposal.voting_open()
    assert len((proposal.rule_snapshot or {})["options"]) == 15
    assert vote["roll"] == proposal.roll.size == Member.objects.count()
    assert proposal.roll.hash == selectors.roll_digest(proposal)[0]
    assert vote["ballots"] == Ballot.objects.filter(proposal=proposal).count() > 100
    assert not Ballot.objects.filter(proposal=proposal, member_id__in=vote["non_voters"]).exists()
    roll = dict(RollEntry.objects.filter(roll__proposal=proposal).values_list("member_id",
                                                                              "weight"))
    for member_id, weight in Ballot.objects.filter(proposal=proposal).values_list("member_id",
                                                                                  "weight"):
        assert weight == roll[member_id]
    decision = services.close_voting(proposal=proposal, now=proposal.voting_closes_at)
    assert decision.outcome == Decision.Outcome.ELECTED
    assert decision.turnout["voters"] == vote["ballots"]
    assert selectors.recount(proposal).matches


def test_every_local_vote_closes_and_every_method_is_there(organisation):
    record = run()
    votes = record["local_votes"]
    assert {v["method"] for v in votes} == {
        "majority", "supermajority", "consent", "consensus", "plurality", "approval", "score",
        "schulze", "irv"}
    for vote in votes:
        proposal = Proposal.objects.get(public_id=vote["public_id"])
        if vote["secret"]:
            assert (Participation.objects.filter(proposal=proposal).count()
                    == SecretBallot.objects.filter(proposal=proposal).count() == vote["ballots"])
        decision = services.close_voting(proposal=proposal, now=proposal.voting_closes_at)
        assert decision.turnout["voters"] == vote["ballots"]
        assert selectors.recount(proposal).matches
    ballots = record["international_vote"]["ballots"] + sum(v["ballots"] for v in votes)
    assert AuditEntry.objects.filter(action="ballots.cast").count() == ballots


def test_running_it_again_changes_nothing(organisation):
    first = run()
    counts = (Proposal.objects.count(), Post.objects.count(), Ballot.objects.count())
    assert run() == first == bench.generated()
    assert (Proposal.objects.count(), Post.objects.count(), Ballot.objects.count()) == counts
