"""The permission matrix of private messages: every rule × every persona."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.lib.interface import Viewer

from .factories import conversation_of, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ada, bob, eve):
    conversation = conversation_of(ada, bob, body="from Ada")
    deactivated = person("Dee Activated")
    staff = person("Stan Staff")
    staff.user.is_staff = True
    staff.user.save()
    return {"conversation": conversation, "message": conversation.messages.get(),
            "author": ada, "participant": bob, "outsider": eve, "staff": staff,
            "deactivated": deactivated}


# persona → (view_conversation, post_message, report_message of the author's message)
MATRIX = {
    "author": (True, True, False),
    "participant": (True, True, True),
    "outsider": (False, False, False),
    "staff": (False, False, False),  # staff read reports in the admin, not conversations
    "anonymous": (False, False, False),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_the_rules_across_personas(world, persona):
    user = AnonymousUser() if persona == "anonymous" else world[persona].user
    viewer = Viewer(user)
    expected = MATRIX[persona]
    assert (
        viewer.can("conversations.view_conversation", world["conversation"]),
        viewer.can("conversations.post_message", world["conversation"]),
        viewer.can("conversations.report_message", world["message"]),
    ) == expected


def test_a_deactivated_participant_reads_but_cannot_post(world):
    from chapterhouse.conversations.models import Participant

    member = world["deactivated"]
    Participant.objects.create(conversation=world["conversation"], member=member)
    member.user.is_active = False
    member.user.save()
    viewer = Viewer(member.user)
    assert viewer.can("conversations.view_conversation", world["conversation"])
    assert not viewer.can("conversations.post_message", world["conversation"])
