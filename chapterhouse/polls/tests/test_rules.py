"""The permission matrix: every polls rule × persona × the poll's state."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from chapterhouse.members.tests.factories import make_member
from chapterhouse.polls.models import Poll

from .factories import make_poll, make_survey

pytestmark = pytest.mark.django_db

RULES = ["polls.view_poll", "polls.answer", "polls.see_results", "polls.export",
         "polls.make_proposal", "polls.close"]
Y, N = True, False
# state → persona → (view, answer, see_results, export, make_proposal, close); by
# "author".
MATRIX = {
    "open": {
        "anonymous": (Y, N, N, N, N, N), "outsider": (Y, N, N, N, N, N),
        "author": (Y, Y, Y, Y, Y, Y), "member": (Y, Y, N, N, N, N),
        "facilitator": (Y, Y, Y, Y, Y, Y), "parent_member": (Y, N, N, N, N, N),
        "deactivated_member": (Y, N, N, N, N, N),
    },
    "closed": {
        "anonymous": (Y, N, Y, N, N, N), "outsider": (Y, N, Y, N, N, N),
        "author": (Y, N, Y, Y, Y, N), "member": (Y, N, Y, N, N, N),
        "facilitator": (Y, N, Y, Y, Y, N), "parent_member": (Y, N, Y, N, N, N),
        "deactivated_member": (Y, N, Y, N, N, N),
    },
    "members_only_section": {
        "anonymous": (N, N, N, N, N, N), "outsider": (N, N, N, N, N, N),
        "author": (Y, Y, Y, Y, Y, Y), "member": (Y, Y, N, N, N, N),
        "facilitator": (Y, Y, Y, Y, Y, Y), "parent_member": (N, N, N, N, N, N),
        "deactivated_member": (N, N, N, N, N, N),
    },
}


@pytest.fixture
def personas(member, facilitator, outsider, neighbour):
    gone = make_member("Gil", city="London", neighbourhood="Hackney")
    gone.user.is_active = False
    gone.user.save()
    return {
        "anonymous": AnonymousUser(), "outsider": outsider.user, "author": member.user,
        "member": neighbour.user, "facilitator": facilitator.user,
        "parent_member": make_member("Lou", city="London").user,
        "deactivated_member": gone.user,
    }


@pytest.mark.parametrize("state", list(MATRIX))
def test_the_matrix(state, member, personas):
    poll = make_poll(member)
    if state == "closed":
        Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    if state == "members_only_section":
        poll.chapter.sections = {"polls": {"visibility": "members"}}
        poll.chapter.save()
    poll = Poll.objects.select_related("chapter").get(pk=poll.pk)
    for persona, expected in MATRIX[state].items():
        got = tuple(personas[persona].has_perm(rule, poll) for rule in RULES)
        assert got == expected, (state, persona)


def test_a_survey_never_becomes_a_proposal(member):
    assert not member.user.has_perm("polls.make_proposal", make_survey(member))


def test_creating_follows_the_section_posting_setting(member, facilitator, neighbour):
    chapter = member.home_chapter
    assert neighbour.user.has_perm("polls.create", chapter)
    chapter.sections = {"polls": {"posting": "facilitators"}}
    chapter.save()
    assert not neighbour.user.has_perm("polls.create", chapter)
    assert facilitator.user.has_perm("polls.create", chapter)
