"""The deliberation thread (discussions app) follows the decisions.deliberate rule."""

import pytest
from django.apps import apps

from chapterhouse.decisions.tests.factories import close, in_deliberation, in_voting

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("chapterhouse.discussions"),
                       reason="the discussions app is not installed"),
]


def thread_of(proposal):
    from chapterhouse.discussions.models import Thread

    return Thread.objects.get(subject_id=str(proposal.pk), kind="deliberation")


def test_affected_members_deliberate_and_others_read(member, facilitator, outsider, neighbour):
    proposal = in_deliberation(member)
    thread = thread_of(proposal)
    for person in (member, facilitator):
        assert person.user.has_perm("discussions.post_in_thread", thread)
    for person in (outsider, neighbour):
        assert not person.user.has_perm("discussions.post_in_thread", thread)
        assert person.user.has_perm("discussions.view_thread", thread)


def test_deliberation_goes_on_while_voting_and_stops_when_decided(member):
    proposal = in_voting(member)
    thread = thread_of(proposal)
    assert member.user.has_perm("discussions.post_in_thread", thread)
    close(proposal)
    thread.refresh_from_db()
    assert not member.user.has_perm("discussions.post_in_thread", thread)
