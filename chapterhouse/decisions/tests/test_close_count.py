"""Closing counts from arrays read in bulk: the record equals a count of the ballot rows
one by one (the whole vote and every sub-chapter of the breakdown)."""

import random
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count

from chapterhouse import voting
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import RollEntry
from chapterhouse.decisions.tests.factories import chapter, close, in_voting, set_rule, vote
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

LONDON, HACKNEY = "gb/eng/london", "gb/eng/london/hackney"
OPTIONS = ["Oak", "Lime", "Ash", "Elm"]
KEYS = ["o1", "o2", "o3", "o4"]


def _ballot(method, rng):
    if rng.random() < 0.15:
        return {}
    if method in ("schulze", "irv"):
        return {"ranking": rng.sample(KEYS, rng.randint(1, len(KEYS)))}
    if method == "approval":
        return {"approve": rng.sample(KEYS, rng.randint(1, len(KEYS)))}
    if method == "score":
        return {"scores": {k: rng.randint(0, 5) for k in rng.sample(KEYS, 2)}}
    choice = rng.choice(["agree", "abstain", "disagree", "block"])
    return {"choice": choice, "reason": f"because {rng.randint(1, 3)}"}


def _one_by_one(proposal):
    """The count as it was made before arrays: every row decoded, each group counted
    from its own ballots (groups in the order they first appear)."""
    snapshot, roll = proposal.rule_snapshot, proposal.roll
    rows = list(selectors.ballot_rows(proposal))

    def counted(ballots, eligible):
        return voting.count(method=snapshot["method"], options=snapshot["options"],
                            ballots=ballots, params=snapshot["params"],
                            eligible_weight=eligible).to_dict()

    by_group: dict[int | None, list[tuple[Any, dict[str, Any]]]] = {}
    for _receipt, weight, ballot, group in rows:
        by_group.setdefault(group, []).append((weight, ballot))
    eligible = _eligible_one_by_one(proposal)
    groups = {g: counted(b, eligible.get(g, (0.0, 0))[0]) for g, b in by_group.items()}
    whole = counted([(w, b) for _r, w, b, _g in rows], roll.total_weight)
    return whole, len(rows), groups


def _eligible_one_by_one(proposal) -> dict[int | None, tuple[Decimal, int]]:
    """{group: (eligible weight, members)} added up entry by entry."""
    found: dict[int | None, tuple[Decimal, int]] = {}
    for group, weight in RollEntry.objects.filter(roll__proposal=proposal).values_list(
            "group", "weight"):
        total, members = found.get(group, (Decimal(0), 0))
        found[group] = (total + weight, members + 1)
    return found


@pytest.mark.parametrize("secret", [False, True])
@pytest.mark.parametrize("method", ["schulze", "irv", "approval", "score", "consensus"])
def test_the_record_equals_a_count_of_the_rows_one_by_one(member, method, secret):
    london = chapter(LONDON)
    set_rule(london, "routine", method=method, secret=secret, params={})
    voters = [member] + [
        make_member(f"{place} {i}", city="London", neighbourhood=place)
        for place, size in (("Hackney", 6), ("Islington", 2), ("Camden", 7), ("", 3))
        for i in range(size)
    ]
    options = [] if method == "consensus" else OPTIONS
    proposal = in_voting(member, chapter=london, options=options, groups=[
        {"chapter": chapter(HACKNEY), "weight": 2.5, "reason": "the square"},
    ])
    rng = random.Random(f"{method}{secret}")
    for voter in voters:
        vote(proposal, voter, _ballot(method, rng))
    proposal.refresh_from_db()
    whole, voters_counted, by_group = _one_by_one(proposal)

    decision = close(proposal)

    assert decision.result == services._normal(whole)
    assert decision.turnout["voters"] == voters_counted == len(voters)
    shown = decision.breakdown["groups"]
    assert shown, "the breakdown shows at least one sub-chapter"
    for group in shown:
        group_id = None if group["direct"] else chapter(group["chapter"]).pk
        assert group["result"] == services._normal(by_group[group_id])
    eligible = _eligible_one_by_one(proposal)
    for group in shown:
        group_id = None if group["direct"] else chapter(group["chapter"]).pk
        assert group["eligible_members"] == eligible[group_id][1]
    # The roll's weights, as one grouping of its entries by weight and reason gives them.
    grouped = (RollEntry.objects.filter(roll__proposal=proposal)
               .values("weight", "reason").annotate(n=Count("id")))
    expected = [{"weight": voting.to_text(r["weight"]), "reason": r["reason"], "members": r["n"]}
                for r in sorted(grouped, key=lambda r: (-r["weight"], r["reason"]))]
    assert decision.roll["weights"] == expected and len(expected) >= 2
    assert selectors.eligible_weight_by_group(proposal) == eligible
    assert decision.record_hash == decision.compute_hash()
    if secret:
        assert decision.breakdown["hidden_groups"] >= 1  # Islington's two voters
