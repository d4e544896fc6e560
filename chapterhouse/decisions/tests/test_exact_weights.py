"""Issue #13, item 1 in the app: weights are exact decimals from the statement to the
record; records published before (floats) still recount."""

import json
from decimal import Decimal

import pytest

from chapterhouse import voting
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import AffectedGroup, Decision, Proposal, Roll
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    chapter,
    close,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

LONDON, HACKNEY = "gb/eng/london", "gb/eng/london/hackney"


def _voters(member, n):
    return [member] + [make_member(f"Hackney {i}", city="London", neighbourhood="Hackney")
                       for i in range(n - 1)]


def test_a_roll_of_tenths_sums_exactly_and_its_ballots_close(member):
    london = chapter(LONDON)
    set_rule(london, "routine", method="majority", params={"quorum": 1})
    voters = _voters(member, 3)
    proposal = in_voting(member, chapter=london, groups=[
        {"chapter": chapter(HACKNEY), "weight": 0.1, "reason": "next door"},
    ])
    roll = Roll.objects.get(proposal=proposal)
    assert roll.total_weight == Decimal("0.3")  # not 0.30000000000000004
    for voter in voters:
        vote(proposal, voter, {"choice": "yes"})
    decision = close(proposal)
    assert decision.outcome == "passed"  # the whole roll voted: the quorum of 100 % is met
    assert decision.result["turnout_weight"] == decision.result["eligible_weight"] == "0.3"
    assert decision.roll["total_weight"] == "0.3"
    # The published ballot file recounts exactly, with no database.
    data = selectors.ballot_file(proposal)
    loaded = voting.loads_ballot_file(voting.ballot_file_json(data))
    assert voting.recount(loaded).to_dict() == data["result"]
    assert selectors.recount(proposal).matches


def test_a_stated_weight_is_stored_exactly_and_more_places_are_refused(member):
    proposal = in_deliberation(member)
    services.set_affected_groups(proposal=proposal, actor=member, groups=[
        {"chapter": chapter(HACKNEY), "weight": 0.25, "reason": "next door"}])
    assert AffectedGroup.objects.get(proposal=proposal).weight == Decimal("0.25")
    with pytest.raises(DecisionError, match="6 decimal places"):
        services.set_affected_groups(proposal=proposal, actor=member, groups=[
            {"chapter": chapter(HACKNEY), "weight": 2 / 3, "reason": "next door"}])
    assert AffectedGroup.objects.get(proposal=proposal).weight == Decimal("0.25")


def test_a_record_published_with_float_weights_still_recounts(member, facilitator, tmp_path):
    proposal = in_voting(member, groups=[
        {"chapter": chapter(HACKNEY), "weight": 1.5, "reason": "the square"}])
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, facilitator, {"choice": "no"})
    close(proposal)
    # As records were written before weights were exact: the result's weights as floats.
    legacy = selectors.recount(proposal)
    counted = voting.count(
        method="majority", options=[], params=(proposal.rule_snapshot or {})["params"],
        ballots=[(w, b) for _r, w, b, _g in selectors.ballot_rows(proposal)],
        eligible_weight=Decimal(3), legacy=True)
    Decision.objects.filter(proposal=proposal).update(result=counted.to_dict(legacy=True))
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert legacy.matches
    assert selectors.recount(proposal).matches
    data = selectors.ballot_file(proposal)
    assert data["format"] == "chapterhouse-ballots/1"
    assert {row["weight"] for row in data["ballots"]} == {1.5}
    path = tmp_path / "ballots.json"
    path.write_text(voting.ballot_file_json(data))
    from chapterhouse.voting.__main__ import main

    assert main(["recount", str(path)]) == 0
    assert json.loads(path.read_text())["result"]["turnout_weight"] == 3.0


def test_the_record_says_which_rule_resolved_each_instant_runoff_tie():
    from chapterhouse.decisions.presenters import number, tally_view

    rows = [(1, {"ranking": ["a"]})] * 3 + [(1, {"ranking": [x, "a"]}) for x in "bcd"]
    result = voting.count(method="irv", options=list("abcd"), ballots=rows, params=None,
                          eligible_weight=6).to_dict()
    view = tally_view(result, {"a": "Oak", "b": "Lime", "c": "Ash", "d": "Elm"})
    assert result["winners"] == ["a"]
    assert view.rounds[0].tie == ("tie between Lime, Ash, Elm: every order of eliminating "
                                  "them elects the same option, so the order cannot change "
                                  "who wins")
    # Exact weights read back from a record: 2/3 stays 2/3, 1.5 stays 1.5.
    assert (number("2/3"), number("1.5"), number("3"), number(0.333333)) == (
        "2/3", "1.5", "3", "0.33")
