import pytest
from django.urls import reverse

from chapterhouse.conftest import client_for
from chapterhouse.decisions.tests.factories import close, draft, in_voting, vote
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db):
    staff = make_member("Sam Staff", city="Leeds", is_staff=True, is_superuser=True)
    return client_for(staff)


def test_staff_read_proposals_rules_and_decisions_but_change_nothing(staff_client, member):
    secret_draft = draft(member, title="A private draft")
    proposal = in_voting(member, title="Public proposal")
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    for name in ("proposal", "decisionrule", "decision"):
        response = staff_client.get(reverse(f"admin:decisions_{name}_changelist"))
        assert response.status_code == 200
        assert staff_client.get(reverse(f"admin:decisions_{name}_add")).status_code == 403
    listing = staff_client.get(reverse("admin:decisions_proposal_changelist")).content.decode()
    assert "Public proposal" in listing and "A private draft" not in listing
    change = reverse("admin:decisions_decision_change", args=[decision.pk])
    assert staff_client.get(change).status_code == 200
    assert staff_client.post(change, {"title": "Edited"}).status_code == 403
    hidden = reverse("admin:decisions_proposal_change", args=[secret_draft.pk])
    assert staff_client.get(hidden).status_code == 302  # "does not exist": redirected


def test_ballots_are_not_in_the_admin(staff_client):
    from django.contrib import admin

    from chapterhouse.decisions.models import Ballot, Participation, SecretBallot

    for model in (Ballot, Participation, SecretBallot):
        assert not admin.site.is_registered(model)
