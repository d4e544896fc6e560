"""decisions.ballot_rows builds exactly the rows cast_ballot stores (the benchmark's
generator writes its millions of ballots from these builders)."""

from typing import Any

import pytest
from django.db.models import Model

from chapterhouse.audit.models import AuditEntry
from chapterhouse.decisions import ballot_rows, selectors
from chapterhouse.decisions.models import Ballot, Participation, Proposal, RollEntry, SecretBallot
from chapterhouse.decisions.tests.factories import chapter, in_voting, set_rule, vote

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"


def stored(model: type[Model], **filters: Any) -> dict[str, Any]:
    """The row as stored, by attname, without its own primary key."""
    obj = model._default_manager.get(**filters)
    return {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields
            if not f.primary_key}


def entry_of(proposal: Proposal, member_id: int) -> RollEntry:
    return RollEntry.objects.get(roll__proposal=proposal, member_id=member_id)


def test_an_open_ballot_is_stored_as_the_builders_build_it(member, facilitator):
    proposal = in_voting(facilitator)
    vote(proposal, member, {"choice": "yes"})
    row = stored(Ballot, proposal=proposal, member=member)
    entry = entry_of(proposal, member.pk)
    assert row == ballot_rows.open_ballot(
        proposal_id=proposal.pk, member_id=member.pk, ballot={"choice": "yes"},
        weight=entry.weight, group_id=entry.group_id, at=row["cast_at"],
        codes=ballot_rows.codes(proposal.rule_snapshot or {}, {"choice": "yes"}))
    assert bytes(row["codes"]) == b"\x00"  # yes: the first of majority's choices
    audit = stored(AuditEntry, action=ballot_rows.AUDIT_ACTION)
    assert audit == ballot_rows.audit_entry(
        member_id=member.pk, proposal_id=proposal.pk, changed=False, secret=False,
        at=audit["created_at"])


def test_a_secret_ballot_is_stored_as_the_builders_build_it(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", secret=True)
    proposal = in_voting(facilitator)
    result = vote(proposal, member, {"choice": "no"})
    assert result.receipt
    entry = entry_of(proposal, member.pk)
    assert stored(Participation, proposal=proposal) == ballot_rows.participation(
        proposal_id=proposal.pk, member_id=member.pk)
    assert stored(SecretBallot, proposal=proposal) == ballot_rows.secret_ballot(
        proposal_id=proposal.pk, receipt=result.receipt, ballot={"choice": "no"},
        weight=entry.weight, group_id=entry.group_id,
        owner=selectors.owner_hash(proposal.pk, member.public_id, result.receipt),
        codes=b"\x01")  # no: the second of majority's choices
    audit = stored(AuditEntry, action=ballot_rows.AUDIT_ACTION)
    assert audit == ballot_rows.audit_entry(
        member_id=member.pk, proposal_id=proposal.pk, changed=False, secret=True,
        at=audit["created_at"])
