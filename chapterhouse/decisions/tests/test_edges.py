"""Branches the journeys do not reach: limits, refusals and recovery paths."""

from datetime import timedelta

import pytest
from django.db import IntegrityError

from chapterhouse.decisions import services
from chapterhouse.decisions.models import Decision, Proposal
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"


def test_a_tie_broken_by_lot_is_seeded_with_the_public_roll_hash(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", method="plurality",
             params={"tie_break": "lot", "seed": ""})
    proposal = in_voting(member, options=["Oak", "Lime"])
    snapshot = at(proposal.rule_snapshot)
    assert snapshot["params"]["seed"] == proposal.roll.hash
    vote(proposal, member, {"option": "o1"})
    vote(proposal, facilitator, {"option": "o2"})
    decision = close(proposal)
    assert decision.outcome == "elected" and len(decision.winners) == 1


def test_approval_limits_are_clamped_to_the_options(member):
    set_rule(chapter(HACKNEY), "routine", method="approval",
             params={"min_choices": 4, "max_choices": 6})
    proposal = in_voting(member, options=["Oak", "Lime"])
    assert at(proposal.rule_snapshot)["params"] == {"min_choices": 2, "max_choices": 2}


def test_a_yes_no_rule_changed_to_options_after_drafting_still_gets_a_ballot(member):
    proposal = in_deliberation(member)
    set_rule(chapter(HACKNEY), "routine", method="plurality", params={})
    proposal.refresh_from_db()
    proposal = services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    assert at(proposal.rule_snapshot)["options"] == ["proposal", "none"]


def test_two_closes_at_once_still_chain_in_order(member, monkeypatch):
    first, second = in_voting(member, title="One"), in_voting(member, title="Two")
    close(first)
    original = Decision.save
    calls = {"n": 0}

    def collide_once(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise IntegrityError("another close took this sequence number")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Decision, "save", collide_once)
    decision = close(second)
    assert calls["n"] == 2
    assert (decision.sequence, decision.previous_hash) == (
        2, Decision.objects.get(sequence=1).record_hash)


def test_the_sweep_goes_on_when_one_proposal_fails(member, monkeypatch):
    past = at(in_deliberation(member).published_at) - timedelta(days=30)
    for title in ("A", "B"):
        services.publish(proposal=draft(member, title=title), actor=member, now=past)
    real_open = services.open_voting

    def fail_for_a(*, proposal, now=None):
        if proposal.title == "A":
            raise RuntimeError("boom")
        return real_open(proposal=proposal, now=now)

    monkeypatch.setattr(services, "open_voting", fail_for_a)
    assert services.advance_all() == {"opened": 1, "closed": 0, "reminded": 0, "failed": 1}
    assert Proposal.objects.get(title="B").status == "voting"


def test_the_task_logs_and_skips_a_refused_step(member, monkeypatch, caplog):
    from chapterhouse.decisions.tasks import advance_proposal

    proposal = in_deliberation(member)

    def refuse(*, proposal, now=None):
        raise DecisionError("not now")

    monkeypatch.setattr(services, "advance", refuse)
    assert advance_proposal.call(proposal.pk) == ""
    assert "not now" in caplog.text


@pytest.mark.parametrize("payload, message", [
    ({"action": "grant", "member": "x", "colour": 1}, "Unknown fields"),
    ({"action": "grant", "member": "x", "role": "king"}, "only role"),
    ({"action": "grant", "member": "x", "chapter": "gb"}, "own facilitators"),
])
def test_a_bad_role_change_is_refused(member, payload, message):
    payload = {**payload, "member": str(member.public_id)}
    with pytest.raises(DecisionError, match=message):
        draft(member, category="roles", payload=payload)


@pytest.mark.parametrize("kwargs, message", [
    ({"text": "x" * 50_001}, "50,000"),
    ({"options": ["x" * 201, "b"]}, "200 characters"),
])
def test_overlong_drafts_are_refused(member, kwargs, message):
    if "options" in kwargs:
        set_rule(chapter(HACKNEY), "routine", method="plurality", params={})
    with pytest.raises(DecisionError, match=message):
        draft(member, **kwargs)


def test_too_many_options_are_refused(member):
    set_rule(chapter(HACKNEY), "routine", method="approval", params={})
    with pytest.raises(DecisionError, match="at most 50"):
        draft(member, options=[f"Option {i}" for i in range(51)])


@pytest.mark.parametrize("values, message", [
    ({"alternatives_method": "majority"}, "chooses between"),
    ({"params": [1, 2]}, "mapping"),
])
def test_a_rule_that_cannot_work_is_refused(values, message):
    base = {"method": "majority", "deliberation_days": 2, "amendment_days": 1,
            "voting_days": 2}
    with pytest.raises(DecisionError, match=message):
        services.check_rule_values({**base, **values})


def test_amendments_are_accepted_only_before_voting_opens(member, facilitator):
    proposal = in_deliberation(member)
    amendment = services.propose_amendment(proposal=proposal, author=facilitator,
                                           kind="text_change", text="Changed.")
    services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    with pytest.raises(DecisionError, match="before voting opens"):
        services.accept_amendment(amendment=amendment, actor=member)


def test_stakes_are_withdrawn_only_during_deliberation(member):
    proposal = in_voting(member)
    with pytest.raises(DecisionError, match="during deliberation"):
        services.withdraw_stake(proposal=proposal, member=member)


def test_reminders_wait_for_an_open_vote(member):
    assert services.send_reminders(proposal=in_deliberation(member)) == 0


def test_a_dissent_has_a_length_limit(member):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "no"})
    decision = close(proposal)
    with pytest.raises(DecisionError, match="5,000"):
        services.add_dissent(decision=decision, member=member, text="x" * 5001)
