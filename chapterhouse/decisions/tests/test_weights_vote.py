"""Held weights settled by a short vote of everyone affected, each with equal weight
(issue #13, item 6: the rule's resolution "weights_vote")."""

from datetime import timedelta

import pytest
from django.urls import reverse

from chapterhouse.conftest import client_for
from chapterhouse.decisions import services
from chapterhouse.decisions.models import (
    WEIGHTS_VOTE_DAYS,
    ObjectionResolution,
    Proposal,
    WeightObjection,
    WeightsReview,
    WeightsVote,
)
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    set_rule,
    vote,
)
from chapterhouse.decisions.tests.test_objections import LONDON, due, object_, weighted_proposal
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db
Status = Proposal.Status
Settlement = WeightObjection.Settlement


@pytest.fixture
def held(author, member, neighbour):
    """The London proposal of test_objections (Hackney at 3), held when voting was due
    for a vote on its weights: the rule sends objections past 5 % of the
    roll's weight to everyone affected."""
    proposal = weighted_proposal(author)
    set_rule(chapter(LONDON), "routine", objection_threshold=0.05,
             objection_resolution=ObjectionResolution.WEIGHTS_VOTE)
    object_(proposal, neighbour)
    assert services.advance(proposal=proposal, now=due(proposal)) == ""
    proposal.refresh_from_db()
    return proposal


def closes(proposal):
    return at(WeightsReview.objects.get(proposal=proposal).vote_closes_at)


def test_past_the_threshold_everyone_affected_is_asked_to_vote(held, member, neighbour,
                                                                 outsider, parent_facilitator):
    review = WeightsReview.objects.get(proposal=held)
    assert held.status == Status.DELIBERATION
    assert review.pending and review.by_vote
    assert review.vote_closes_at == due(held) + timedelta(days=WEIGHTS_VOTE_DAYS)
    told = set(Notification.objects.filter(kind=Kind.WEIGHT_OBJECTION)
               .values_list("recipient", flat=True))
    assert {member.pk, neighbour.pk} <= told and outsider.pk not in told
    # No facilitator settles what the members vote on.
    with pytest.raises(DecisionError, match="votes on these weights"):
        services.settle_objections(proposal=held, facilitator=parent_facilitator, accept=True)
    # The vote stays held until the weights vote closes.
    services.open_voting(proposal=held, now=closes(held) - timedelta(minutes=1))
    held.refresh_from_db()
    assert held.status == Status.DELIBERATION


def test_more_votes_for_equal_weights_make_them_equal_and_voting_opens(
        held, author, member, neighbour, outsider):
    services.vote_on_weights(proposal=held, member=member, keep=True)
    services.vote_on_weights(proposal=held, member=neighbour, keep=False)
    services.vote_on_weights(proposal=held, member=author, keep=True)
    services.vote_on_weights(proposal=held, member=author, keep=False)  # changed their mind
    assert WeightsVote.objects.count() == 3
    with pytest.raises(DecisionError, match="affected"):
        services.vote_on_weights(proposal=held, member=outsider, keep=False)
    assert services.advance(proposal=held, now=closes(held)) == "opened"
    held.refresh_from_db()
    assert held.status == Status.VOTING
    assert not held.affected_groups.exists()
    roll = at(held.roll)
    assert roll.total_weight == roll.size  # everyone at weight 1
    review = WeightsReview.objects.get(proposal=held)
    assert (review.settlement, review.keep_votes, review.equal_votes) == (
        Settlement.EQUALISED_BY_VOTE, 1, 2)
    assert WeightObjection.objects.get().settlement == Settlement.EQUALISED_BY_VOTE
    # Too late to vote on the weights now.
    with pytest.raises(DecisionError, match="No vote on the weights"):
        services.vote_on_weights(proposal=held, member=member, keep=True)


def test_a_tie_keeps_the_weights(held, member, neighbour):
    services.vote_on_weights(proposal=held, member=member, keep=True)
    services.vote_on_weights(proposal=held, member=neighbour, keep=False)
    services.advance(proposal=held, now=closes(held))
    held.refresh_from_db()
    assert held.status == Status.VOTING
    assert [g.weight for g in held.affected_groups.all()] == [3]
    assert at(held.roll).total_weight > at(held.roll).size
    assert WeightObjection.objects.get().settlement == Settlement.KEPT_BY_VOTE


def test_voting_on_the_weights_through_the_pages_without_javascript(
        held, member, neighbour, outsider):
    url = reverse("decisions:vote_on_weights", args=[held.public_id])
    page = client_for(member).get(held.get_absolute_url())
    text = page.content.decode()
    assert "Keep the weights" in text and "Make them equal" in text and url in text
    answer = client_for(member).post(url, {"choice": "equal"}, follow=True)
    assert "Your vote on the weights is counted" in answer.content.decode()
    assert "You voted to make the weights equal." in answer.content.decode()
    assert WeightsVote.objects.get(member=member).keep is False
    answer = client_for(neighbour).post(url, {"choice": "maybe"}, follow=True)
    assert "Choose to keep the weights or to make them equal." in answer.content.decode()
    assert not WeightsVote.objects.filter(member=neighbour).exists()
    assert client_for(outsider).post(url, {"choice": "keep"}).status_code == 403
    assert client_for(outsider).get(held.get_absolute_url()).content.decode().count(url) == 0
    assert client_for(member).get(url).status_code == 405


def test_the_record_shows_how_the_members_voted_on_the_weights(held, member, neighbour):
    services.vote_on_weights(proposal=held, member=member, keep=False)
    services.advance(proposal=held, now=closes(held))
    held.refresh_from_db()
    vote(held, member, {"choice": "yes"})
    close(held)
    text = client_for(neighbour).get(reverse("decisions:record", args=[held.public_id])) \
        .content.decode()
    assert "a vote of everyone affected made the weights equal" in text
    assert "0 to keep them, 1 to make them equal" in text


def test_a_rules_decision_can_choose_the_weights_vote():
    values = services.check_rule_values({
        "method": "majority", "deliberation_days": 3, "amendment_days": 2, "voting_days": 3,
        "objection_threshold": 0.2, "objection_resolution": "weights_vote",
    })
    assert values["objection_resolution"] == "weights_vote"
