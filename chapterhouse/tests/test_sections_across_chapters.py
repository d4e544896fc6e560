"""Lists that gather many chapters (a board with its sub-chapters, a calendar with the
chapters below, the lessons of the whole tree) leave out what a chapter's own section
setting keeps from the reader: a section turned off, or kept to its members."""

import pytest

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import set_section
from chapterhouse.events import selectors as events
from chapterhouse.events.tests.factories import make_event
from chapterhouse.members.tests.factories import make_member
from chapterhouse.mutualaid import selectors as mutualaid
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.resources import selectors as resources
from chapterhouse.resources.tests.factories import make_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def islington():
    return make_member("Ivo Islington", city="London", neighbourhood="Islington")


def _titles(rows):
    return sorted(row.title for row in rows)


@pytest.mark.parametrize("change, hackney_sees", [
    ({}, True),
    ({"visibility": "members"}, True),
    ({"shown": False}, False),
])
def test_the_board_with_its_subchapters(member, islington, change, hackney_sees):
    make_entry(member, title="Hackney lift", visible_to_everyone=True)
    make_entry(islington, title="Islington lift", visible_to_everyone=True)
    if change:
        set_section(chapter=member.home_chapter, change={"section": "mutualaid", **change})
    london = Chapter.objects.get(url_path="gb/eng/london")
    members_only = change.get("visibility") == "members"
    hidden = not hackney_sees or members_only

    def board(viewer):
        return _titles(mutualaid.board_entries(chapter=london, viewer=viewer,
                                               include_subchapters=True))
    assert board(member) == (["Hackney lift", "Islington lift"] if hackney_sees
                             else ["Islington lift"])
    assert board(islington) == (["Islington lift"] if hidden
                                else ["Hackney lift", "Islington lift"])
    assert board(None) == (["Islington lift"] if hidden
                           else ["Hackney lift", "Islington lift"])


def test_the_calendar_with_the_chapters_below(member, islington):
    london = Chapter.objects.get(url_path="gb/eng/london")
    make_event(author=member, title="Hackney picnic", is_public=True)
    make_event(author=islington, title="Islington picnic", is_public=True)
    set_section(chapter=member.home_chapter,
                change={"section": "events", "visibility": "members"})

    def calendar(viewer):
        return sorted({o.event.title for o in events.upcoming(
            events.calendar_events(london, viewer, subchapters=True))})
    assert calendar(member) == ["Hackney picnic", "Islington picnic"]
    assert calendar(islington) == ["Islington picnic"]
    assert calendar(None) == ["Islington picnic"]


def test_the_lessons_of_the_whole_tree(member, islington, django_assert_num_queries):
    make_lesson(member, title="Hackney lesson")
    make_lesson(islington, title="Islington lesson")
    set_section(chapter=member.home_chapter,
                change={"section": "resources", "visibility": "members"})
    assert _titles(resources.lessons(viewer=member)) == ["Hackney lesson", "Islington lesson"]
    assert _titles(resources.lessons(viewer=None)) == ["Islington lesson"]
    set_section(chapter=islington.home_chapter, change={"section": "resources", "shown": False})
    with django_assert_num_queries(1):
        assert _titles(resources.lessons(viewer=islington)) == []
