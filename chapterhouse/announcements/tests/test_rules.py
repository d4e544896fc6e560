"""The permission matrix: announcements.announce × every persona × the chapter's rule."""

import pytest

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

# persona → (may announce when only facilitators may, when members may too)
MATRIX = {
    "anonymous": (False, False),
    "outsider": (False, False),  # a member of another country's chapters
    "member": (False, True),
    "facilitator": (True, True),
    "parent_facilitator": (False, False),  # facilitates London, not Hackney (nor is in it)
    "deactivated_facilitator": (False, False),
    "staff_without_profile": (False, False),
}


@pytest.fixture
def personas(member, facilitator, outsider):
    from django.contrib.auth.models import AnonymousUser

    from chapterhouse.chapters.models import ChapterRole
    from chapterhouse.chapters.services import grant_role
    from chapterhouse.members.tests.factories import make_user

    london_facilitator = make_member("Lou", city="London")
    grant_role(chapter=london_facilitator.home_chapter, member=london_facilitator,
               source=ChapterRole.Source.ADMIN)
    gone = make_member("Gil", city="London", neighbourhood="Hackney")
    grant_role(chapter=gone.home_chapter, member=gone, source=ChapterRole.Source.ADMIN)
    gone.user.is_active = False
    gone.user.save()
    return {
        "anonymous": AnonymousUser(),
        "outsider": outsider.user,
        "member": member.user,
        "facilitator": facilitator.user,
        "parent_facilitator": london_facilitator.user,
        "deactivated_facilitator": gone.user,
        "staff_without_profile": make_user(is_staff=True),
    }


@pytest.mark.parametrize("persona", list(MATRIX))
@pytest.mark.parametrize("members_may", [False, True])
def test_who_may_announce(personas, member, persona, members_may):
    hackney = Chapter.objects.get(pk=member.home_chapter.pk)
    hackney.members_may_announce = members_may
    expected = MATRIX[persona][members_may]
    viewer = Viewer(personas[persona])
    assert viewer.can("announcements.announce", hackney) is expected
    assert viewer.can("announcements.view_announcement", None) is True


# persona → (may edit and withdraw a shown announcement of Hackney by its facilitator,
# one by the member); nobody may once it is withdrawn.
CHANGE_MATRIX = {
    "anonymous": (False, False),
    "outsider": (False, False),
    "member": (False, True),  # their own only
    "facilitator": (True, True),  # any of the chapter's
    "parent_facilitator": (False, False),
    "deactivated_facilitator": (False, False),
    "staff_without_profile": (False, False),
}


@pytest.mark.parametrize("persona", list(CHANGE_MATRIX))
@pytest.mark.parametrize("withdrawn", [False, True])
@pytest.mark.parametrize("permission", ["announcements.edit_announcement",
                                        "announcements.withdraw_announcement"])
def test_who_may_edit_and_withdraw(personas, member, facilitator, persona, withdrawn,
                                   permission):
    from django.utils import timezone

    from chapterhouse.announcements.models import Announcement

    hackney = member.home_chapter
    by_facilitator = Announcement(chapter=hackney, author=facilitator, title="t", body="b")
    by_member = Announcement(chapter=hackney, author=member, title="t", body="b")
    viewer = Viewer(personas[persona])
    for announcement, expected in zip((by_facilitator, by_member), CHANGE_MATRIX[persona],
                                      strict=True):
        if withdrawn:
            announcement.withdrawn_at = timezone.now()
        assert viewer.can(permission, announcement) is (expected and not withdrawn)
