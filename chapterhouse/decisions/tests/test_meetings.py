"""Votes taken at a meeting, entered as decision records (services.record_meeting_vote)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chapterhouse.audit.models import AuditEntry
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import Decision, Proposal
from chapterhouse.decisions.tests.factories import close, in_voting, rule_in, set_rule, vote

pytestmark = pytest.mark.django_db


def record(facilitator, **kwargs):
    values = {
        "chapter": facilitator.home_chapter, "recorder": facilitator, "category": "routine",
        "title": "Paint the community hall", "text": "We paint it green.",
        "counts": {"yes": 12, "no": 5, "abstain": 2}, "attendance": 21,
        "counted_by": "Sam and Priya", "held_at": timezone.now() - timedelta(hours=2),
        "where": "Hackney community hall", "meeting_url": "/events/x/",
    }
    values.update(kwargs)
    return services.record_meeting_vote(**values)


@pytest.fixture
def allowed(facilitator):
    set_rule(facilitator.home_chapter, "routine", meeting_votes=True)
    set_rule(facilitator.home_chapter, "picnic", method="plurality", params={},
             deliberation_days=1, amendment_days=0, voting_days=1, meeting_votes=True)


def test_a_majority_vote_at_a_meeting_becomes_a_passed_record(facilitator, allowed):
    decision = record(facilitator)
    assert decision.outcome == Decision.Outcome.PASSED
    assert decision.proposal.status == Proposal.Status.CLOSED
    assert decision.proposal.author == facilitator
    meeting = decision.rule["meeting"]
    assert meeting["attendance"] == 21
    assert meeting["counts"] == {"yes": 12, "no": 5, "abstain": 2}
    assert meeting["counted_by"] == "Sam and Priya"
    assert meeting["where"] == "Hackney community hall"
    assert decision.roll["size"] == 21
    assert decision.turnout["voters"] == 19
    assert decision.result["explanation"]["counts"]["yes"] == "12"
    assert decision.effect == {}
    assert AuditEntry.objects.filter(action="decisions.record_meeting_vote").count() == 1


def test_a_majority_vote_with_more_against_is_rejected(facilitator, allowed):
    decision = record(facilitator, counts={"yes": 3, "no": 9})
    assert decision.outcome == Decision.Outcome.REJECTED


def test_a_plurality_vote_elects_the_option_with_most_hands(facilitator, allowed):
    decision = record(facilitator, category="picnic", title="Where to picnic",
                      counts={"The park": 4, "The river": 9, "The hill": 2}, attendance=15)
    assert decision.outcome == Decision.Outcome.ELECTED
    assert decision.winners == ["o2"]
    assert [o["label"] for o in decision.options] == ["The park", "The river", "The hill"]
    assert list(decision.proposal.options.values_list("key", flat=True)) == ["o1", "o2", "o3"]


def test_the_record_recounts_and_the_chain_verifies(facilitator, member, allowed, capsys):
    proposal = in_voting(member, title="Online first")
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    decision = record(facilitator)
    record(facilitator, category="picnic", counts={"A": 1, "B": 2}, attendance=3)
    assert decision.record_hash == decision.compute_hash()
    assert decision.previous_hash
    assert selectors.chain_problems() == []
    call_command("verify_decisions")
    assert "3 decision records, chain intact" in capsys.readouterr().out
    assert selectors.recount(decision.proposal).matches
    data = selectors.ballot_file(decision.proposal)
    assert len(data["ballots"]) == 19


def test_an_edited_count_breaks_the_chain(facilitator, allowed):
    decision = record(facilitator)
    rule = dict(decision.rule)
    rule["meeting"] = {**rule["meeting"], "counts": {"yes": 2, "no": 5, "abstain": 2}}
    Decision.objects.filter(pk=decision.pk).update(rule=rule)
    assert any("was altered" in p for p in selectors.chain_problems())


def test_it_is_refused_where_the_rule_does_not_allow_meeting_votes(facilitator):
    with pytest.raises(services.DecisionError, match="do not let votes taken at a meeting"):
        record(facilitator)
    assert not Decision.objects.exists()
    assert not Proposal.objects.exists()


def test_it_is_refused_to_a_member_who_is_not_a_facilitator(member, facilitator, allowed):
    with pytest.raises(services.DecisionError, match="Only a facilitator"):
        record(facilitator, recorder=member)
    assert not Decision.objects.exists()


def test_a_method_a_show_of_hands_cannot_count_is_refused(facilitator):
    set_rule(facilitator.home_chapter, "routine", method="schulze", params={},
             meeting_votes=True)
    with pytest.raises(services.DecisionError, match="only yes/no votes and plurality"):
        record(facilitator)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("change, message", [
    ({"counts": {"yes": -1, "no": 2}}, "whole numbers"),
    ({"counts": {"yes": 1.5, "no": 2}}, "whole numbers"),
    ({"counts": {"yes": "3", "no": 2}}, "whole numbers"),
    ({"counts": {"yes": 20, "no": 5}}, "more than the 21 people"),
    ({"counts": {"maybe": 2}}, "Unknown choice"),
    ({"counts": {}}, "Enter the counts"),
    ({"attendance": 0, "counts": {"yes": 0}}, "Attendance"),
    ({"counted_by": "  "}, "who counted"),
    ({"held_at": timezone.now() + timedelta(days=1)}, "before the meeting was held"),
    ({"title": ""}, "title"),
])
def test_bad_counts_are_refused_and_nothing_is_stored(facilitator, allowed, change, message):
    with pytest.raises(services.DecisionError, match=message):
        record(facilitator, **change)
    assert not Decision.objects.exists()
    assert not Proposal.objects.exists()


def test_a_plurality_vote_needs_two_distinct_options(facilitator, allowed):
    with pytest.raises(services.DecisionError, match="at least two options"):
        record(facilitator, category="picnic", counts={"Only": 3})
    with pytest.raises(services.DecisionError, match="same label"):
        record(facilitator, category="picnic", counts={"A": 1, " A ": 2})
    assert not Decision.objects.exists()


def test_a_rules_proposal_can_allow_meeting_votes(facilitator):
    proposal = in_voting(facilitator, category="rules", title="Meetings may decide",
                         payload={"category": "routine", "meeting_votes": True})
    vote(proposal, facilitator, {"choice": "yes"})
    decision = close(proposal)
    assert decision.effect["rule"]["meeting_votes"] is True
    assert rule_in(facilitator.home_chapter, "routine").meeting_votes
    assert record(facilitator).outcome == Decision.Outcome.PASSED


def test_the_record_page_and_the_log_say_taken_at_a_meeting(client, facilitator, allowed):
    decision = record(facilitator)
    page = client.get(f"/decisions/d/{decision.proposal.public_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Taken at a meeting" in text
    assert "Sam and Priya" in text
    assert "Hackney community hall" in text
    log = client.get("/decisions/")
    assert "Taken at a meeting" in log.content.decode()
    assert client.get(decision.proposal.get_absolute_url()).status_code == 200


def test_the_draft_form_proposes_allowing_meeting_votes(member_client, member):
    from chapterhouse.decisions.tests.test_views_forms import NEW, proposal_data

    response = member_client.post(NEW, proposal_data(
        category="rules", rule_category="routine", rule_meeting_votes="yes"))
    assert response.status_code == 302, response.content.decode()
    proposal = Proposal.objects.get()
    assert proposal.payload == {"category": "routine", "meeting_votes": True}
    page = member_client.get(proposal.get_absolute_url()).content.decode()
    assert "Votes taken at a meeting" in page and "may be recorded" in page
