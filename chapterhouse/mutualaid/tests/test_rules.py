"""The permission matrix: every mutual-aid rule × every persona × the entry's state."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.tests.factories import make_member, make_user
from chapterhouse.mutualaid import services
from chapterhouse.mutualaid.models import Entry

from .factories import make_entry

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "author", "member", "facilitator", "parent_member",
            "parent_facilitator", "child_member", "deactivated_member", "staff_without_profile"]


@pytest.fixture
def personas(member, facilitator, outsider):
    london = make_member("Lou", city="London")  # belongs to London, not to Hackney
    london_facilitator = make_member("Lea", city="London")
    grant_role(chapter=london_facilitator.home_chapter, member=london_facilitator,
               source=ChapterRole.Source.ADMIN)
    neighbour = make_member("Nell", city="London", neighbourhood="Hackney")
    gone = make_member("Gil", city="London", neighbourhood="Hackney")
    gone.user.is_active = False
    gone.user.save()
    return {
        "anonymous": AnonymousUser(),
        "outsider": outsider.user,
        "author": member.user,
        "member": neighbour.user,
        "facilitator": facilitator.user,
        "parent_member": london.user,
        "parent_facilitator": london_facilitator.user,
        "child_member": None,  # filled for the London entry below
        "deactivated_member": gone.user,
        "staff_without_profile": make_user(is_staff=True),
    }


def _entry(member, facilitator, state):
    entry = make_entry(member, visible_to_everyone=state == "public")
    if state == "fulfilled":
        entry = services.mark_fulfilled(entry=entry)
    elif state == "expired":
        Entry.objects.filter(pk=entry.pk).update(
            expires_on=timezone.localdate() - datetime.timedelta(days=1))
        entry.refresh_from_db()
    elif state == "removed":
        entry = services.remove_entry(entry=entry, facilitator=facilitator, reason="No.")
    return Entry.objects.select_related("chapter").get(pk=entry.pk)


Y, N = True, False
# state → persona → (view, edit, remove, reply); Hackney entry by "author" (Ada).
MATRIX = {
    "members_only": {
        "anonymous": (N, N, N, N), "outsider": (N, N, N, N), "author": (Y, Y, N, N),
        "member": (Y, N, N, Y), "facilitator": (Y, N, Y, Y), "parent_member": (N, N, N, N),
        "parent_facilitator": (N, N, N, N), "deactivated_member": (N, N, N, N),
        "staff_without_profile": (N, N, N, N),
    },
    "public": {
        "anonymous": (Y, N, N, N), "outsider": (Y, N, N, Y), "author": (Y, Y, N, N),
        "member": (Y, N, N, Y), "facilitator": (Y, N, Y, Y), "parent_member": (Y, N, N, Y),
        "parent_facilitator": (Y, N, N, Y), "deactivated_member": (Y, N, N, N),
        "staff_without_profile": (Y, N, N, N),
    },
    "fulfilled": {
        "anonymous": (N, N, N, N), "outsider": (N, N, N, N), "author": (Y, Y, N, N),
        "member": (Y, N, N, N), "facilitator": (Y, N, Y, N), "parent_member": (N, N, N, N),
        "parent_facilitator": (N, N, N, N), "deactivated_member": (N, N, N, N),
        "staff_without_profile": (N, N, N, N),
    },
    "expired": {
        "anonymous": (N, N, N, N), "outsider": (N, N, N, N), "author": (Y, Y, N, N),
        "member": (Y, N, N, N), "facilitator": (Y, N, Y, N), "parent_member": (N, N, N, N),
        "parent_facilitator": (N, N, N, N), "deactivated_member": (N, N, N, N),
        "staff_without_profile": (N, N, N, N),
    },
    "removed": {
        "anonymous": (N, N, N, N), "outsider": (N, N, N, N), "author": (Y, N, N, N),
        "member": (N, N, N, N), "facilitator": (Y, N, N, N), "parent_member": (N, N, N, N),
        "parent_facilitator": (N, N, N, N), "deactivated_member": (N, N, N, N),
        "staff_without_profile": (N, N, N, N),
    },
}
CASES = [(state, persona) for state, row in MATRIX.items() for persona in row]


@pytest.mark.parametrize(("state", "persona"), CASES)
def test_entry_rules(personas, member, facilitator, state, persona):
    entry = _entry(member, facilitator, state)
    viewer = Viewer(personas[persona])
    got = tuple(viewer.can(f"mutualaid.{name}", entry)
                for name in ("view_entry", "edit_entry", "remove_entry", "reply"))
    assert got == MATRIX[state][persona]


POST_MATRIX = {
    "anonymous": N, "outsider": N, "author": Y, "member": Y, "facilitator": Y,
    "parent_member": N, "parent_facilitator": N, "deactivated_member": N,
    "staff_without_profile": N,
}


@pytest.mark.parametrize("persona", list(POST_MATRIX))
def test_who_posts_on_the_hackney_board(personas, member, persona):
    assert Viewer(personas[persona]).can("mutualaid.post", member.home_chapter) is (
        POST_MATRIX[persona])


def test_members_below_a_chapter_see_its_members_only_entries(member):
    """A Hackney member belongs to London: they see London's members-only entries."""
    lou = make_member("Lou", city="London")
    entry = make_entry(lou)
    assert Viewer(member.user).can("mutualaid.view_entry", entry)
    assert Viewer(member.user).can("mutualaid.reply", entry)
