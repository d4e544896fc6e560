from datetime import timedelta

import pytest

from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import Amendment, Option
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    draft,
    in_deliberation,
    set_rule,
    vote,
)
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"


def amend(proposal, author, kind="text_change", text="We plant twenty trees.", **kwargs):
    return services.propose_amendment(proposal=proposal, author=author, kind=kind, text=text,
                                      **kwargs)


def test_an_affected_member_proposes_an_amendment(member, facilitator):
    proposal = in_deliberation(member)
    amendment = amend(proposal, facilitator)
    assert amendment.number == 1
    assert amendment.status == Amendment.Status.OPEN
    assert proposal.events.filter(kind="amendment_proposed").exists()
    # The proposal's author hears of it.
    assert Notification.objects.filter(kind=Kind.AMENDMENT_PROPOSED, recipient=member).exists()


def test_members_not_affected_cannot_amend(member, outsider, neighbour):
    proposal = in_deliberation(member)
    for other in (outsider, neighbour):
        with pytest.raises(DecisionError, match="affected"):
            amend(proposal, other)
    assert not Amendment.objects.exists()


def test_a_member_of_a_group_weighted_zero_is_not_affected(member, facilitator):
    proposal = draft(member)
    services.set_affected_groups(proposal=proposal, actor=member, groups=[
        {"chapter": chapter(HACKNEY), "weight": 0, "reason": "Hackney is not concerned"},
    ])
    services.publish(proposal=proposal, actor=member)
    with pytest.raises(DecisionError, match="affected"):
        amend(proposal, facilitator)


def test_amendments_close_with_the_amendment_period(member, facilitator):
    proposal = in_deliberation(member)
    later = at(proposal.amendments_close_at) + timedelta(seconds=1)
    with pytest.raises(DecisionError, match="amendment period"):
        amend(proposal, facilitator, now=later)
    assert not Amendment.objects.exists()


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "rewrite"}, "changes the text"),
    ({"text": "  "}, "text"),
    ({"kind": "alternative", "text": "Plant limes."}, "label"),
    ({"text": "We plant twelve trees.\nThey are oaks."}, "same"),
])
def test_a_bad_amendment_is_refused(member, facilitator, kwargs, message):
    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match=message):
        amend(proposal, facilitator, **kwargs)
    assert not Amendment.objects.exists()


def test_an_accepted_text_change_becomes_the_text_credited(member, facilitator):
    proposal = in_deliberation(member)
    amendment = amend(proposal, facilitator)
    services.accept_amendment(amendment=amendment, actor=member)
    proposal.refresh_from_db()
    amendment.refresh_from_db()
    assert proposal.text == "We plant twenty trees."
    assert amendment.status == Amendment.Status.ACCEPTED
    version = proposal.versions.get(number=2)
    assert version.author == facilitator
    assert version.amendment == amendment
    assert Notification.objects.filter(kind=Kind.AMENDMENT_ACCEPTED, recipient=facilitator).exists()


def test_versions_are_diffable(member, facilitator):
    proposal = in_deliberation(member)
    services.accept_amendment(amendment=amend(proposal, facilitator, text="We plant twelve "
                                              "trees.\nThey are limes."), actor=member)
    blocks = selectors.version_diff(proposal, 1, 2)
    assert [b.tag for b in blocks] == ["equal", "replace"]
    assert blocks[1].old == ["They are oaks."] and blocks[1].new == ["They are limes."]
    unified = selectors.unified_version_diff(proposal, 1, 2)
    assert "-They are oaks." in unified and "+They are limes." in unified
    with pytest.raises(Exception, match="No version"):
        selectors.version_diff(proposal, 1, 9)


def test_an_accepted_alternative_to_a_yes_no_proposal_becomes_the_text(member, facilitator):
    proposal = in_deliberation(member)
    amendment = amend(proposal, facilitator, kind="alternative", label="Limes",
                      text="We plant limes.")
    services.accept_amendment(amendment=amendment, actor=member)
    proposal.refresh_from_db()
    assert proposal.text == "We plant limes."
    assert not proposal.options.exists()


def test_an_accepted_alternative_on_a_multi_option_proposal_becomes_an_option(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", method="plurality", params={})
    proposal = in_deliberation(member, options=["Oak", "Lime"])
    amendment = amend(proposal, facilitator, kind="alternative", label="Ash", text="Ash trees")
    services.accept_amendment(amendment=amendment, actor=member)
    assert list(proposal.options.values_list("key", "label", "source")) == [
        ("o1", "Oak", "original"), ("o2", "Lime", "original"), ("a1", "Ash", "amendment"),
    ]
    assert proposal.versions.count() == 1


def test_only_the_author_accepts_and_only_an_open_amendment(member, facilitator):
    proposal = in_deliberation(member)
    amendment = amend(proposal, facilitator)
    with pytest.raises(DecisionError, match="author"):
        services.accept_amendment(amendment=amendment, actor=facilitator)
    services.withdraw_amendment(amendment=amendment, actor=facilitator)
    with pytest.raises(DecisionError, match="no longer open"):
        services.accept_amendment(amendment=amendment, actor=member)
    proposal.refresh_from_db()
    assert proposal.text.startswith("We plant twelve")


def test_only_its_author_withdraws_an_amendment(member, facilitator):
    proposal = in_deliberation(member)
    amendment = amend(proposal, facilitator)
    with pytest.raises(DecisionError, match="author of the amendment"):
        services.withdraw_amendment(amendment=amendment, actor=member)
    services.withdraw_amendment(amendment=amendment, actor=facilitator)
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.WITHDRAWN
    with pytest.raises(DecisionError, match="no longer"):
        services.withdraw_amendment(amendment=amendment, actor=facilitator)


def _open(proposal):
    proposal.refresh_from_db()
    return services.open_voting(proposal=proposal, now=proposal.voting_opens_at)


def test_an_open_alternative_turns_a_yes_no_ballot_into_a_choice(member, facilitator):
    proposal = in_deliberation(member)
    amend(proposal, facilitator, kind="alternative", label="Limes", text="We plant limes.")
    withdrawn = amend(proposal, facilitator, text="Nothing at all.")
    services.withdraw_amendment(amendment=withdrawn, actor=facilitator)
    proposal = _open(proposal)
    snapshot = proposal.rule_snapshot
    assert snapshot["rule_method"] == "majority"
    assert snapshot["method"] == "schulze"
    assert snapshot["switched"] is True
    assert snapshot["options"] == ["proposal", "a1", "none"]
    # Only the quorum and tie-break of the yes/no rule carry over.
    assert "threshold" not in snapshot["params"]
    assert Amendment.objects.get(number=1).status == Amendment.Status.COMPETING
    assert Amendment.objects.get(number=2).status == Amendment.Status.WITHDRAWN
    assert list(Option.objects.filter(proposal=proposal).values_list("key", "source")) == [
        ("proposal", "original"), ("a1", "amendment"), ("none", "status_quo"),
    ]


@pytest.mark.parametrize("ranking, outcome, winners", [
    (["proposal", "a1", "none"], "passed", ["proposal"]),
    (["a1", "proposal", "none"], "elected", ["a1"]),
    (["none", "a1", "proposal"], "rejected", ["none"]),
])
def test_a_switched_ballot_records_a_plain_outcome(member, facilitator, ranking, outcome,
                                                   winners):
    proposal = in_deliberation(member)
    amend(proposal, facilitator, kind="alternative", label="Limes", text="We plant limes.")
    proposal = _open(proposal)
    vote(proposal, member, {"ranking": ranking}, now=proposal.voting_opens_at)
    vote(proposal, facilitator, {"ranking": ranking}, now=proposal.voting_opens_at)
    decision = close(proposal)
    assert decision.outcome == outcome
    assert decision.winners == winners


def test_an_open_amendment_competes_on_a_multi_option_ballot(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", method="approval", params={"max_choices": 9})
    proposal = in_deliberation(member, options=["Oak", "Lime"])
    amend(proposal, facilitator, kind="alternative", label="Ash", text="Ash trees")
    proposal = _open(proposal)
    assert proposal.rule_snapshot["method"] == "approval"
    assert proposal.rule_snapshot["switched"] is False
    assert proposal.rule_snapshot["options"] == ["o1", "o2", "a1"]
    # Approval's limit is clamped to the number of options.
    assert proposal.rule_snapshot["params"]["max_choices"] == 3
