"""The chapters a person means by a name or an address (selectors.chapters_called),
and chapters shown with their parents (selectors.full_names, the chapter search)."""

import pytest
from django.utils import translation

from chapterhouse.chapters import selectors
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.tests.test_names import europe  # noqa: F401
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


def paths(text, **kwargs):
    return [chapter.url_path for chapter in selectors.chapters_called(text, **kwargs)]


# (Moscow alone is also the region's name: see the shared name below.)
@pytest.mark.parametrize("typed", ["Moscú", "moscu", "Москва", "موسكو", "MOSCOW , Moscow",
                                   "moscu، moscow", "ru/mow/moscow", "/c/ru/mow/moscow/"])
def test_a_chapter_is_found_by_any_name_or_its_address(europe, typed):  # noqa: F811
    assert paths(typed) == ["ru/mow/moscow"]


def test_a_name_is_matched_whole_not_in_part(europe):  # noqa: F811
    assert paths("Mosc") == []
    assert paths("Moscow, France") == []
    assert paths("") == [] and paths(" , ") == []


def test_a_shared_name_gives_every_chapter_of_it_higher_first(europe):  # noqa: F811
    # Moscow is a region and a city: both, the region (higher) first.
    assert paths("Moscow", limit=5) == ["ru/mow", "ru/mow/moscow"]
    assert paths("Moscow", limit=1) == ["ru/mow"]
    assert paths("Moscow, Russia") == ["ru/mow", "ru/mow/moscow"]


def test_international_in_any_language_and_countries_by_their_address(europe):  # noqa: F811
    assert paths("international") == [""]
    with translation.override("es"):
        assert paths("Internacional") == [""]
    assert paths("de") == ["de"]  # an old link's country address
    assert paths("zz/nowhere") == []


def test_full_names_show_the_parents_in_the_readers_language(db):
    make_member("Ada", city="London", neighbourhood="Hackney")
    hackney = Chapter.objects.get(url_path="gb/eng/london/hackney")
    world = Chapter.objects.get(url_path="")
    names = selectors.full_names([hackney, world])
    assert names == {hackney.pk: "Hackney, London, England, United Kingdom",
                     world.pk: "International"}


def test_the_chapter_search_shows_parents_and_can_give_names(db, client):
    make_member("Ada", city="London", neighbourhood="Hackney")
    page = client.get("/c/search/", {"within": "international", "q": "hack"}).content.decode()
    assert 'data-suggestion="gb/eng/london/hackney"' in page
    assert '<span class="suggestion-detail">London, England, United Kingdom</span>' in page
    page = client.get("/c/search/", {"within": "international", "q": "hack",
                                     "value": "name"}).content.decode()
    assert ('data-suggestion="Hackney, London, England, United Kingdom" '
            'data-suggestion-code="gb/eng/london/hackney"') in page
