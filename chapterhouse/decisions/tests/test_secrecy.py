"""Secret ballots that stay secret (issue #13, items 7–9): weights that would single
voters out are refused, storage order links no participation to its ballot, and a
receipt changes a ballot only in its own voter's hands."""

import re

import pytest
from django.db import connection

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
