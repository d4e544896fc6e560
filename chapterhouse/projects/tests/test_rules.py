"""The permission matrix: every projects rule × every persona × open or approved group."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.tests.factories import make_member, make_user
from chapterhouse.projects import services
from chapterhouse.projects.models import Group

from .factories import join, make_group

pytestmark = pytest.mark.django_db

RULES = ["view_group", "join_group", "leave_group", "coordinate", "work_on_tasks",
         "post_update"]
T, F = True, False
# persona → expected for each rule in RULES (the same for open and approved groups)
MATRIX = {
    "anonymous": (T, F, F, F, F, F),
    "outsider": (T, F, F, F, F, F),  # a member of another country's chapters
    "londoner": (T, F, F, F, F, F),  # London, above the group's chapter (Hackney)
    "neighbour": (T, T, F, F, F, F),  # in Hackney, not in the group
    "asker": (T, F, T, F, F, F),  # asked to join (pending)
    "member": (T, F, T, F, T, T),
    "coordinator": (T, F, T, T, T, T),
    "facilitator": (T, T, F, T, F, F),  # of Hackney: coordinates, is not in the group
    "deactivated_member": (T, F, F, F, F, F),
    "staff_without_profile": (T, F, F, F, F, F),
}


@pytest.fixture(params=[Group.Joining.OPEN, Group.Joining.APPROVED])
def setting(request, member, facilitator, outsider):
    group = make_group(member, joining=request.param)
    in_group = make_member("In", city="London", neighbourhood="Hackney")
    gone = make_member("Gone", city="London", neighbourhood="Hackney")
    join(group, in_group, gone)
    gone.user.is_active = False
    gone.user.save()
    asker = make_member("Ask", city="London", neighbourhood="Hackney")
    if group.is_open:  # an open group has no requests: pretend one from before
        group.joining = Group.Joining.APPROVED
        services.join_group(group=group, member=asker)
        group.joining = Group.Joining.OPEN
    else:
        services.join_group(group=group, member=asker)
    personas = {
        "anonymous": AnonymousUser(),
        "outsider": outsider.user,
        "londoner": make_member("Lou", city="London").user,
        "neighbour": make_member("Ned", city="London", neighbourhood="Hackney").user,
        "asker": asker.user,
        "member": in_group.user,
        "coordinator": member.user,
        "facilitator": facilitator.user,
        "deactivated_member": gone.user,
        "staff_without_profile": make_user(is_staff=True),
    }
    return group, personas


@pytest.mark.parametrize("persona", list(MATRIX))
def test_who_may_do_what_with_a_group(setting, persona):
    group, personas = setting
    viewer = Viewer(personas[persona])
    got = tuple(viewer.can(f"projects.{rule}", group) for rule in RULES)
    assert dict(zip(RULES, got, strict=True)) == dict(zip(RULES, MATRIX[persona], strict=True))


@pytest.mark.parametrize(("persona", "expected"), [
    ("anonymous", False), ("outsider", False), ("member", True), ("facilitator", True),
])
def test_who_may_start_a_group_in_a_chapter(request, member, persona, expected):
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona).user
    assert Viewer(user).can("projects.create_group", member.home_chapter) is expected


def test_a_facilitator_of_the_parent_chapter_does_not_coordinate(member):
    group = make_group(member)
    lou = make_member("Lou", city="London")
    grant_role(chapter=lou.home_chapter, member=lou, source=ChapterRole.Source.ADMIN)
    assert Viewer(lou.user).can("projects.coordinate", group) is False
