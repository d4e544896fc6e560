"""Weights the affected can contest (issue #13, item 6): objections during
deliberation, the author's revision, the rule's threshold and resolution when voting
is due, the parent chapter's facilitators settling (the weights vote: test_weights_vote),
and the record."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chapterhouse.conftest import client_for
from chapterhouse.decisions import services
from chapterhouse.decisions.models import (
    ObjectionResolution,
    Proposal,
    WeightObjection,
    WeightsReview,
)
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    draft,
    in_deliberation,
    rule_in,
    set_rule,
    vote,
)
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HACKNEY, LONDON, ENGLAND = "gb/eng/london/hackney", "gb/eng/london", "gb/eng"
Status = Proposal.Status


def weighted_proposal(author):
    """A London proposal whose author gave Hackney (their own) a weight of 3, published
    long enough ago that voting is due about now."""
    proposal = draft(author, chapter=chapter(LONDON))
    start = timezone.now() - timedelta(days=rule_in(chapter(LONDON), "routine")
                                       .deliberation_days, minutes=2)
    proposal = services.publish(proposal=proposal, actor=author, now=start)
    services.set_affected_groups(proposal=proposal, actor=author, groups=[
        {"chapter": chapter(HACKNEY), "weight": 3.0, "reason": "the square is here"}])
    return proposal


@pytest.fixture
def proposal(author, member, neighbour):
    return weighted_proposal(author)


def object_(proposal, member, reason="Islington uses the square as much.", **target):
    target = target or {"target": "group", "chapter": chapter(HACKNEY)}
    return services.object_to_weight(proposal=proposal, member=member, reason=reason, **target)


def due(proposal):
    proposal.refresh_from_db()
    return at(proposal.voting_opens_at) + timedelta(minutes=1)


# -- Objecting ----------------------------------------------------------------------------


def test_a_member_on_the_roll_objects_and_the_author_hears_of_it(proposal, neighbour, author):
    objection = object_(proposal, neighbour)
    assert objection.status == WeightObjection.Status.OPEN
    assert Notification.objects.filter(recipient=author, kind=Kind.WEIGHT_OBJECTION).exists()


def test_only_members_on_the_roll_object_during_deliberation(proposal, outsider, author):
    with pytest.raises(DecisionError):
        object_(proposal, outsider)
    with pytest.raises(DecisionError):  # a group the proposal does not name
        object_(proposal, author, target="group", chapter=chapter("gb/eng/london/islington"))
    with pytest.raises(DecisionError):
        object_(proposal, author, reason="  ")
    object_(proposal, author, target="default")
    with pytest.raises(DecisionError):  # the same weight twice
        object_(proposal, author, target="default")


def test_a_stake_can_be_objected_to(author, member, neighbour):
    set_rule(chapter(LONDON), "routine", allow_self_declared_stakes=True)
    proposal = in_deliberation(author, chapter=chapter(LONDON))
    services.declare_stake(proposal=proposal, member=member, weight=2.0, reason="I sell there")
    objection = object_(proposal, neighbour, target="stake", stake_member=member)
    assert objection.stake_member == member


def test_a_revision_marks_the_objection_and_its_author_withdraws_or_maintains(
        proposal, neighbour, author, member):
    objection = object_(proposal, neighbour)
    services.set_affected_groups(proposal=proposal, actor=author, groups=[
        {"chapter": chapter(HACKNEY), "weight": 2.0, "reason": "the square is here"}])
    from chapterhouse.decisions.presenters.objections import objection_rows

    assert objection_rows(proposal)[0].revised_since
    with pytest.raises(DecisionError):
        services.maintain_objection(objection=objection, member=member)
    services.maintain_objection(objection=objection, member=neighbour)
    assert not objection_rows(proposal)[0].revised_since
    services.withdraw_objection(objection=objection, member=neighbour)
    objection.refresh_from_db()
    assert objection.status == WeightObjection.Status.WITHDRAWN


# -- When voting is due -------------------------------------------------------------------


def test_under_the_threshold_the_vote_opens_and_the_objection_is_unresolved(
        proposal, neighbour, member, author):
    # Roll: author 3, member 3, neighbour 1 (+ anyone else in London): 1/7 < 1/4.
    object_(proposal, neighbour)
    proposal = services.open_voting(proposal=proposal, now=due(proposal))
    assert proposal.status == Status.VOTING
    assert WeightObjection.objects.get().settlement == WeightObjection.Settlement.UNRESOLVED


def test_past_the_threshold_the_parent_facilitators_settle_before_voting(
        proposal, neighbour, member, author, parent_facilitator):
    set_rule(chapter(LONDON), "routine", objection_threshold=0.05)
    object_(proposal, neighbour)
    assert services.advance(proposal=proposal, now=due(proposal)) == ""
    proposal.refresh_from_db()
    assert proposal.status == Status.DELIBERATION
    review = WeightsReview.objects.get(proposal=proposal)
    assert review.pending and review.settled_at is None
    assert Notification.objects.filter(recipient=parent_facilitator,
                                       kind=Kind.WEIGHT_OBJECTION).exists()
    # Held: nobody else objects, the author cannot revise, the sweep does not open it.
    with pytest.raises(DecisionError):
        object_(proposal, member, target="default")
    with pytest.raises(DecisionError):
        services.set_affected_groups(proposal=proposal, actor=author, groups=[])
    services.open_voting(proposal=proposal, now=due(proposal) + timedelta(days=1))
    proposal.refresh_from_db()
    assert proposal.status == Status.DELIBERATION
    # A member of the scope does not settle.
    with pytest.raises(DecisionError):
        services.settle_objections(proposal=proposal, facilitator=member, accept=True)
    proposal = services.settle_objections(
        proposal=proposal, facilitator=parent_facilitator, accept=False, note="Equal weights.",
        groups=[{"chapter": chapter(HACKNEY), "weight": 1.0, "reason": "as everyone"}])
    assert proposal.status == Status.VOTING
    assert at(proposal.roll).total_weight == at(proposal.roll).size
    objection = WeightObjection.objects.get()
    assert objection.settlement == WeightObjection.Settlement.WEIGHTS_SET
    assert objection.settled_by == parent_facilitator


def test_the_rule_none_records_the_objections_and_opens(proposal, neighbour):
    set_rule(chapter(LONDON), "routine", objection_threshold=0.01,
             objection_resolution=ObjectionResolution.NONE)
    object_(proposal, neighbour)
    proposal = services.open_voting(proposal=proposal, now=due(proposal))
    assert proposal.status == Status.VOTING


def test_the_threshold_is_exact(author, member, neighbour):
    # Three members in London at weight 1 each; one objects: 1/3 is reached by 1/3.
    proposal = in_deliberation(author, chapter=chapter(LONDON))
    set_rule(chapter(LONDON), "routine", objection_threshold=1 / 3)
    object_(proposal, neighbour, target="default")
    from chapterhouse.members.models import Member

    total = Member.objects.belonging_to(chapter(LONDON)).count()
    services.open_voting(proposal=proposal, now=due(proposal))
    proposal.refresh_from_db()
    assert (proposal.status == Status.DELIBERATION) is (total == 3)


# -- The record ---------------------------------------------------------------------------


def test_the_record_shows_the_objections_and_how_they_were_settled(
        proposal, neighbour, member, author, parent_facilitator):
    set_rule(chapter(LONDON), "routine", objection_threshold=0.05)
    object_(proposal, neighbour, reason="Islington matters too")
    services.advance(proposal=proposal, now=due(proposal))
    proposal = services.settle_objections(proposal=proposal, facilitator=parent_facilitator,
                                          accept=True, note="The square is in Hackney.")
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    page = client_for(member).get(reverse("decisions:record", args=[proposal.public_id]))
    text = page.content.decode()
    assert "Islington matters too" in text
    assert "The square is in Hackney." in text
    assert "the weights were accepted as they stood" in text


# -- Rules changed by decision ------------------------------------------------------------


def test_a_rules_decision_carries_the_new_fields():
    values = services.check_rule_values({
        "method": "majority", "deliberation_days": 3, "amendment_days": 2, "voting_days": 3,
        "objection_threshold": 0.2, "objection_resolution": "none",
    })
    assert values["objection_threshold"] == 0.2
    assert values["objection_resolution"] == "none"
    for bad in ({"objection_threshold": 0}, {"objection_threshold": 1.5},
                {"objection_resolution": "a_lottery"}):
        with pytest.raises(DecisionError):
            services.check_rule_values({"method": "majority", "deliberation_days": 3,
                                        "amendment_days": 2, "voting_days": 3, **bad})


def test_a_passed_rules_proposal_changes_the_objection_rule(author, member):
    from chapterhouse.decisions.tests.factories import in_voting

    proposal = in_voting(author, category="rules", payload={
        "category": "routine", "objection_threshold": 0.5, "objection_resolution": "none"})
    vote(proposal, author, {"choice": "yes"})
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    from chapterhouse.decisions import selectors

    rule = at(selectors.effective_rule(chapter(HACKNEY), "routine"))
    assert (rule.objection_threshold, rule.objection_resolution) == (0.5, "none")


# -- Permissions --------------------------------------------------------------------------


def test_who_may_settle_a_held_vote(proposal, neighbour, member, author, parent_facilitator,
                                    facilitator, outsider):
    set_rule(chapter(LONDON), "routine", objection_threshold=0.05)
    object_(proposal, neighbour)
    services.advance(proposal=proposal, now=due(proposal))
    proposal.refresh_from_db()
    allowed = {parent_facilitator.pk}
    for person in (neighbour, member, author, parent_facilitator, facilitator, outsider):
        assert person.user.has_perm("decisions.settle_objections", proposal) is (
            person.pk in allowed), person
        assert not person.user.has_perm("decisions.object_to_weight", proposal)
    assert not AnonymousUser().has_perm("decisions.settle_objections", proposal)


# -- Pages --------------------------------------------------------------------------------


def test_objecting_through_the_pages_without_javascript(proposal, neighbour, outsider, author):
    url = reverse("decisions:object", args=[proposal.public_id])
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(outsider).post(url, {"weight": "default", "reason": "x"}).status_code \
        == 403
    assert not WeightObjection.objects.exists()
    client = client_for(neighbour)
    assert client.get(url).status_code == 200
    assert client.post(url, {"weight": "default", "reason": ""}).status_code == 400
    response = client.post(url, {"weight": f"group:{HACKNEY}", "reason": "Too much"})
    assert response.status_code == 302
    objection = WeightObjection.objects.get()
    assert objection.chapter == chapter(HACKNEY)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Too much" in page and "Withdraw my objection" in page
    # Another member cannot withdraw it.
    withdraw = reverse("decisions:withdraw_objection",
                       args=[proposal.public_id, objection.public_id])
    client_for(author).post(withdraw)
    objection.refresh_from_db()
    assert objection.status == WeightObjection.Status.OPEN
    client.post(withdraw)
    objection.refresh_from_db()
    assert objection.status == WeightObjection.Status.WITHDRAWN


def test_the_settle_page(proposal, neighbour, member, parent_facilitator, outsider):
    set_rule(chapter(LONDON), "routine", objection_threshold=0.05)
    object_(proposal, neighbour)
    services.advance(proposal=proposal, now=due(proposal))
    url = reverse("decisions:settle_objections", args=[proposal.public_id])
    assert client_for(outsider).get(url).status_code == 403
    assert client_for(member).post(url, {"accept": "1"}).status_code == 403
    assert client_for(parent_facilitator).get(url).status_code == 200
    assert "The vote waits" in client_for(neighbour).get(
        proposal.get_absolute_url()).content.decode()
    response = client_for(parent_facilitator).post(url, {"accept": "1", "note": "Fine."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.VOTING


def test_the_proposal_page_costs_the_same_with_many_objections(proposal, author, client):
    people = [make_member(f"Person {i}", city="London", neighbourhood="Hackney")
              for i in range(2)]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(proposal.get_absolute_url()).status_code == 200
        return len(ctx)

    object_(proposal, people[0])
    few = count()
    for person in [make_member(f"More {i}", city="London") for i in range(8)] + people[1:]:
        object_(proposal, person, target="default")
    assert count() == few



def test_the_proposal_form_proposes_the_objection_rule(member):
    from chapterhouse.decisions.tests.test_views_forms import NEW, proposal_data, url

    client = client_for(member)
    response = client.post(NEW, proposal_data(
        category="rules", rule_category="routine", rule_objection_threshold="1/10",
        rule_objection_resolution="none"))
    assert response.status_code == 302, response.content.decode()
    proposal = Proposal.objects.get()
    assert proposal.payload == {"category": "routine", "objection_threshold": 0.1,
                                "objection_resolution": "none"}
    page = client.get(url(proposal)).content.decode()
    assert "Objections to weights past the threshold" in page
    assert "nothing: they are recorded and the vote opens" in page
