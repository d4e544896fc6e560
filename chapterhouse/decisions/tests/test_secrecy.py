"""Secret ballots that stay secret (issue #13, items 7–9): weights that would single
voters out are refused, storage order links no participation to its ballot, and a
receipt changes a ballot only in its own voter's hands."""

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.urls import reverse

from chapterhouse import voting
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import Participation, SecretBallot
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    draft,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.members.tests.factories import make_member
from chapterhouse.voting.ballot_file import differences

pytestmark = pytest.mark.django_db

HACKNEY, ISLINGTON, LONDON = "gb/eng/london/hackney", "gb/eng/london/islington", "gb/eng/london"


def secret_rule(url_path=HACKNEY):
    set_rule(chapter(url_path), "routine", secret=True)


# -- 9. A receipt is no password -------------------------------------------------------------


def test_another_members_session_with_a_stolen_receipt_changes_nothing(member, facilitator):
    secret_rule()
    proposal = in_voting(member)
    receipt = at(vote(proposal, member, {"choice": "yes"}).receipt)
    vote(proposal, facilitator, {"choice": "yes"})
    with pytest.raises(DecisionError, match="matches"):
        vote(proposal, facilitator, {"choice": "no"}, receipt=receipt)
    assert sorted(SecretBallot.objects.values_list("ballot", flat=True),
                  key=str) == [{"choice": "yes"}, {"choice": "yes"}]
    # The voter, with their receipt (typed carelessly), still can.
    assert vote(proposal, member, {"choice": "no"},
                receipt=receipt.lower().replace("-", " ")).changed


def test_the_stored_ballot_names_no_member_even_with_the_receipt_hash(member):
    secret_rule()
    proposal = in_voting(member)
    receipt = at(vote(proposal, member, {"choice": "yes"}).receipt)
    stored = SecretBallot.objects.get()
    assert stored.owner_hash == selectors.owner_hash(proposal.pk, member.public_id, receipt)
    assert stored.owner_hash != selectors.owner_hash(proposal.pk, member.public_id, "X" + receipt)


def test_receipt_codes_are_read_aloud_in_groups_without_look_alikes(member, facilitator):
    secret_rule()
    proposal = in_voting(member)
    codes = [at(vote(proposal, m, {"choice": "yes"}).receipt) for m in (member, facilitator)]
    codes += [selectors.new_receipt() for _i in range(200)]
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code), code
        assert not set(code) & set("l1I0O")
    assert len(set(codes)) == len(codes)


# -- 8. Row order says nothing -----------------------------------------------------------------


def physical_order() -> list[str]:
    """The receipt hashes of the secret ballots in the order the database keeps them."""
    table = connection.ops.quote_name(SecretBallot._meta.db_table)
    key = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT receipt_hash FROM {table} ORDER BY {key}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_twelve_secret_ballots_are_not_stored_in_casting_order():
    voters = [make_member(f"Voter {i}", city="London", neighbourhood="Hackney")
              for i in range(12)]
    secret_rule(LONDON)
    proposal = in_voting(voters[0], chapter=chapter(LONDON))
    cast = [selectors.receipt_hash(at(vote(proposal, v, {"choice": "yes"}).receipt))
            for v in voters]
    if connection.vendor != "sqlite":
        close(proposal)
    participations = list(Participation.objects.order_by("id").values_list("member", flat=True))
    assert participations == [v.pk for v in voters]
    # Before: 12 of 12 ballots in the participations' order (the chance of that at
    # random is 1 in 479,001,600).
    assert physical_order() != cast
    assert sorted(physical_order()) == sorted(cast)
    if connection.vendor == "postgresql":
        # Nor does the transaction that wrote them: all carry the close's.
        table = connection.ops.quote_name(SecretBallot._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT xmin::text FROM {table}")  # noqa: S608
            assert len(cursor.fetchall()) == 1


# -- 7. Weights that would single voters out ---------------------------------------------------


def group(url_path, weight, reason="lives next to the square"):
    return {"chapter": chapter(url_path), "weight": weight, "reason": reason}


def test_a_secret_vote_refuses_a_unique_weight_for_a_small_group(member):
    secret_rule(LONDON)
    for i in range(6):
        make_member(f"Islington {i}", city="London", neighbourhood="Islington")
    proposal = draft(member, chapter=chapter(LONDON))  # Hackney: one member, Ada
    services.set_affected_groups(proposal=proposal, actor=member, groups=[group(HACKNEY, 3)])
    with pytest.raises(DecisionError, match="secret") as error:
        services.publish(proposal=proposal, actor=member)
    assert "fewer than 5 members" in error.value.message and "3" in error.value.message
    proposal.refresh_from_db()
    assert proposal.status == proposal.Status.DRAFT


def test_a_secret_vote_accepts_weights_each_shared_by_five_members(member):
    secret_rule(LONDON)
    for i in range(4):
        make_member(f"Hackney {i}", city="London", neighbourhood="Hackney")
    for i in range(6):
        make_member(f"Islington {i}", city="London", neighbourhood="Islington")
    proposal = draft(member, chapter=chapter(LONDON))
    services.set_affected_groups(proposal=proposal, actor=member, groups=[group(HACKNEY, 3)])
    assert services.publish(proposal=proposal, actor=member).status == "deliberation"


def test_an_open_vote_or_equal_weights_are_never_refused(member):
    set_rule(chapter(LONDON), "routine", secret=False)
    proposal = draft(member, chapter=chapter(LONDON))
    services.set_affected_groups(proposal=proposal, actor=member, groups=[group(HACKNEY, 3)])
    assert services.publish(proposal=proposal, actor=member).status == "deliberation"
    secret_rule(LONDON)
    alone = draft(member, chapter=chapter(LONDON))  # everyone weight 1, however few
    assert services.publish(proposal=alone, actor=member).status == "deliberation"


def test_unsafe_secret_weights():
    assert selectors.unsafe_secret_weights([(1.0, 3)], 5) == []
    assert selectors.unsafe_secret_weights([(1.0, 30), (3.0, 1)], 5) == [3.0]
    assert selectors.unsafe_secret_weights([(1.0, 30), (3.0, 0)], 5) == []
    assert selectors.unsafe_secret_weights([(1.0, 3), (3.0, 2), (3.0, 3)], 5) == [1.0]


# -- 7. ...and the ballots of a weight few voters carried, at closing ---------------------------


def weighted_secret_vote(member, hackney_voters: int, islington_voters: int = 6):
    """A secret vote in London with Hackney at weight 3 (five members, Ada among them)
    and Islington at 1 (six members), safe at publishing; `hackney_voters` of Hackney
    and `islington_voters` of Islington vote."""
    secret_rule(LONDON)
    hackney = [member] + [make_member(f"Hackney {i}", city="London", neighbourhood="Hackney")
                          for i in range(4)]
    islington = [make_member(f"Islington {i}", city="London", neighbourhood="Islington")
                 for i in range(6)]
    proposal = in_voting(member, chapter=chapter(LONDON), groups=[group(HACKNEY, 3)])
    receipts = {}
    for voter in hackney[:hackney_voters]:
        receipts[voter.pk] = at(vote(proposal, voter, {"choice": "no"}).receipt)
    for voter in islington[:islington_voters]:
        receipts[voter.pk] = at(vote(proposal, voter, {"choice": "yes"}).receipt)
    return proposal, receipts


def test_a_weight_only_two_voters_carried_is_not_in_the_ballot_file(member):
    proposal, receipts = weighted_secret_vote(member, hackney_voters=2)
    decision = close(proposal)
    data = selectors.ballot_file(proposal)
    weights = [row["weight"] for row in data["ballots"]]
    # Before: two rows of weight "3" among six of "1", the two Hackney voters' ballots.
    assert set(weights) == {"1"}
    assert len(weights) == 2 * 3 + 6
    assert decision.turnout["published_in_parts"] == {"step": "1", "rows": 12}
    assert decision.turnout["voters"] == 8
    assert decision.turnout["turnout_weight"] == "12"
    # The recount of the published file is the published result, exactly.
    recounted = voting.recount(voting.loads_ballot_file(voting.ballot_file_json(data)))
    assert differences(recounted, decision.result) == []
    assert decision.result["outcome"] == "rejected"
    assert decision.result["explanation"]["ballots"] == 12
    # The chain covers the file as published, and the voter finds their parts.
    assert selectors.chain_problems() == []
    assert decision.ballots_hash == selectors.ballots_digest(proposal, step="1")
    found = at(selectors.find_secret_ballot(proposal, receipts[member.pk]))
    names = selectors.ballot_parts(decision, found)
    assert len(names) == 3
    assert {row["receipt"] for row in data["ballots"]} >= set(names)
    # ...and no one without the receipt can group the parts: the receipt hash is not there.
    assert found["receipt"] not in {row["receipt"] for row in data["ballots"]}


def test_weights_every_one_of_which_five_voters_carried_are_published_whole(member):
    proposal, _receipts = weighted_secret_vote(member, hackney_voters=5)
    decision = close(proposal)
    weights = sorted(row["weight"] for row in selectors.ballot_file(proposal)["ballots"])
    assert weights == ["1"] * 6 + ["3"] * 5
    assert "published_in_parts" not in decision.turnout
    assert selectors.chain_problems() == []


def test_the_record_page_says_the_ballots_are_in_parts_and_finds_a_voters_parts(client, member):
    proposal, receipts = weighted_secret_vote(member, hackney_voters=1)
    close(proposal)
    client.force_login(member.user)
    page = client.get(proposal.get_absolute_url())
    assert "published in parts of weight 1: 9 rows for 7 voters" in page.content.decode()
    found = client.post(reverse("decisions:find_receipt", args=[proposal.public_id]),
                        {"receipt": receipts[member.pk]})
    text = found.content.decode()
    assert found.status_code == 200 and "3 parts of weight 1" in text
    for name in voting.parts_of(selectors.receipt_hash(receipts[member.pk]), 3, Fraction(1)):
        assert name in text


def test_weights_too_fine_to_publish_in_parts_are_refused(member):
    secret_rule(LONDON)
    for i in range(5):
        make_member(f"Hackney {i}", city="London", neighbourhood="Hackney")
        make_member(f"Islington {i}", city="London", neighbourhood="Islington")
    proposal = draft(member, chapter=chapter(LONDON))
    services.set_affected_groups(proposal=proposal, actor=member,
                                 groups=[group(HACKNEY, Decimal("1.01"))])
    with pytest.raises(DecisionError, match="101 parts"):
        services.publish(proposal=proposal, actor=member)
    services.set_affected_groups(proposal=proposal, actor=member,
                                 groups=[group(HACKNEY, Decimal("1.5"))])
    assert services.publish(proposal=proposal, actor=member).status == "deliberation"
    # Revising the groups during deliberation is held to the same.
    with pytest.raises(DecisionError, match="parts"):
        services.set_affected_groups(proposal=proposal, actor=member,
                                     groups=[group(HACKNEY, Decimal("0.03"))])
    assert [g.weight for g in proposal.affected_groups.all()] == [Decimal("1.5")]


def test_a_declared_stake_too_fine_to_publish_in_parts_is_refused(member):
    secret_rule(LONDON)
    set_rule(chapter(LONDON), "routine", secret=True, allow_self_declared_stakes=True,
             self_declared_cap=3)
    for i in range(5):
        make_member(f"Islington {i}", city="London", neighbourhood="Islington")
    proposal = services.publish(proposal=draft(member, chapter=chapter(LONDON)), actor=member)
    with pytest.raises(DecisionError, match="parts"):
        services.declare_stake(proposal=proposal, member=member, weight=Decimal("2.37"),
                               reason="I live on the square")
    assert not proposal.stake_declarations.exists()
    assert services.declare_stake(proposal=proposal, member=member, weight=Decimal("2.5"),
                                  reason="I live on the square").weight == Decimal("2.5")
