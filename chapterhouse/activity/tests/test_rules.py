"""Every rule of the activity × every persona: anonymous, member, facilitator, a member
of another chapter (outsider), and a deactivated member."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.activity import services
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.tests.factories import make_member
from chapterhouse.projects.tests.factories import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(member, facilitator, outsider):
    gone = make_member("Gus Gone", city="Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                       country=("FR", "France"))
    gone.user.is_active = False
    gone.user.save()
    return {"anonymous": None, "member": member, "facilitator": facilitator,
            "outsider": outsider, "deactivated": gone}


def can(people, who, permission, obj):
    person = people[who]
    return Viewer(person.user if person else AnonymousUser()).can(permission, obj)


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", False), ("member", False), ("facilitator", False), ("outsider", True),
    ("deactivated", False),
])
def test_who_may_follow_hackney(people, member, who, expected):
    assert can(people, who, "activity.follow_chapter", member.home_chapter) is expected


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", False), ("member", True), ("facilitator", True), ("outsider", True),
    ("deactivated", False),
])
def test_who_may_follow_a_public_group(people, member, who, expected):
    assert can(people, who, "activity.follow_group", make_group(member)) is expected


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", False), ("member", False), ("facilitator", False), ("outsider", False),
    ("deactivated", False),
])
def test_nobody_follows_a_group_whose_section_is_kept_to_members_from_outside(
        people, member, who, expected):
    from chapterhouse.chapters.services import set_section

    group = make_group(member)
    set_section(chapter=member.home_chapter,
                change={"section": "projects", "visibility": "members"})
    group.chapter.refresh_from_db()
    if who in ("member", "facilitator"):
        expected = True
    assert can(people, who, "activity.follow_group", group) is expected


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", False), ("member", False), ("facilitator", False), ("outsider", True),
    ("deactivated", False),
])
def test_only_its_member_unfollows_a_follow(people, member, who, expected):
    follow = services.follow(member=people["outsider"], chapter=member.home_chapter)
    assert can(people, who, "activity.unfollow", follow) is expected
