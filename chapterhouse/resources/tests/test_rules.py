"""The permission matrix: every rule of the library and the lessons × every persona."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.tests.factories import make_member, make_user
from chapterhouse.resources.models import Visibility

from .factories import make_lesson, make_link

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "member", "facilitator", "parent_facilitator",
            "london_member", "deactivated_member", "staff_without_profile"]

# rule → the personas who have it (the objects are Hackney's, where `member` lives)
MATRIX = {
    "view_public": set(PERSONAS),
    # the chapter's active members (a deactivated one no more), its facilitators, staff
    "view_members_only": {"member", "facilitator", "staff_without_profile"},
    "add_resource": {"member", "facilitator"},
    "remove_resource": {"facilitator"},
    "view_lesson": set(PERSONAS),
    "write_lesson": {"member", "facilitator"},
    # other chapters only: not Hackney's members, nor anonymous or profile-less staff
    "mark_helpful": {"outsider", "parent_facilitator", "london_member"},
    "comment_lesson": {"outsider", "member", "facilitator", "parent_facilitator",
                       "london_member"},
}


@pytest.fixture
def personas(member, facilitator, outsider):
    london_facilitator = make_member("Lou", city="London")
    grant_role(chapter=london_facilitator.home_chapter, member=london_facilitator,
               source=ChapterRole.Source.ADMIN)
    gone = make_member("Gil", city="London", neighbourhood="Hackney")
    gone.user.is_active = False
    gone.user.save()
    return {
        "anonymous": AnonymousUser(),
        "outsider": outsider.user,
        "member": member.user,
        "facilitator": facilitator.user,
        "parent_facilitator": london_facilitator.user,
        "london_member": make_member("Lena", city="London").user,
        "deactivated_member": gone.user,
        "staff_without_profile": make_user(is_staff=True),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_matrix(personas, member, persona):
    hackney = Chapter.objects.get(pk=member.home_chapter.pk)
    public = make_link(member)
    members_only = make_link(member, url="https://example.org/m",
                             visibility=Visibility.MEMBERS)
    lesson = make_lesson(member)
    viewer = Viewer(personas[persona])
    asked = {
        "view_public": viewer.can("resources.view_resource", public),
        "view_members_only": viewer.can("resources.view_resource", members_only)
        and viewer.can("resources.view_members_only", hackney),
        "add_resource": viewer.can("resources.add_resource", hackney),
        "remove_resource": viewer.can("resources.remove_resource", public),
        "view_lesson": viewer.can("resources.view_lesson", lesson),
        "write_lesson": viewer.can("resources.write_lesson", hackney),
        "mark_helpful": viewer.can("resources.mark_helpful", lesson),
        "comment_lesson": viewer.can("resources.comment_lesson", lesson),
    }
    assert asked == {rule: persona in who for rule, who in MATRIX.items()}
