"""Member lists are in the order a reader expects, accents and case aside (issue #15,
item 5): "Émile" among the E's, not after "Zoë"."""

import pytest

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.models import Member
from chapterhouse.members.selectors import members_listed_for
from chapterhouse.members.services import update_profile
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_chapters_member_list_sorts_accented_names_among_their_letters():
    made = [make_member(name) for name in ["Zoë", "émile", "Eve", "Ana", "Zack", "Łukasz",
                                           "Lara"]]
    london = Chapter.objects.get(url_path="gb/eng/london")
    names = [m.display_name for m in members_listed_for(london, viewer=made[0])]
    assert names == ["Ana", "émile", "Eve", "Lara", "Łukasz", "Zack", "Zoë"]


def test_the_sort_key_follows_a_renamed_member():
    member = make_member("Zed")
    update_profile(member=member, display_name="Ágata")
    assert Member.objects.get(pk=member.pk).sort_name == "agata"
