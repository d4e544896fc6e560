"""Chapters in the reader's language and order (#15 items 3–5): names copied from
places, found by any of them, listed by the reader's collation."""

import pytest
from django.core.management import call_command
from django.utils import translation

from chapterhouse.chapters import selectors
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import refresh_place_names
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.models import Place, ascii_fold, sort_names_of
from chapterhouse.places.services import alt_names_field
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db

SPAIN_NAMES = {"DE": {"es": "Alemania"}, "FR": {"es": "Francia"}}


def named_city(name, region, country, *, names=None, other_names=()):
    """A city with `names` in other languages and `other_names`, stored as
    load_places stores them."""
    names = names or {}
    city = make_city(name, region=region, country=country, names=names,
                     sort_names=sort_names_of(names),
                     alt_names=alt_names_field([*names.values(), *other_names], ascii_fold(name)))
    for area in (city.parent, city.parent.parent if city.parent else None):
        if area is not None and area.code in SPAIN_NAMES:
            names_ = SPAIN_NAMES[area.code]
            Place.objects.filter(pk=area.pk).update(names=names_, sort_names=sort_names_of(names_))
    return city


@pytest.fixture
def europe(db):
    named_city("Berlin", ("DE-BE", "Berlin"), ("DE", "Germany"))
    named_city("Paris", ("FR-IDF", "Île-de-France"), ("FR", "France"))
    named_city("Moscow", ("RU-MOW", "Moscow"), ("RU", "Russia"),
               names={"es": "Moscú", "ar": "موسكو"}, other_names=["Moskva", "Москва"])
    make_member("Bea", city="Berlin", region=("DE-BE", "Berlin"), country=("DE", "Germany"))
    make_member("Flo", city="Paris", region=("FR-IDF", "Île-de-France"), country=("FR", "France"))
    make_member("Mia", city="Moscow", region=("RU-MOW", "Moscow"), country=("RU", "Russia"))


def names_of(chapters):
    return [chapter.display_name() for chapter in chapters]


def test_chapters_of_places_are_listed_by_their_name_in_the_readers_language(europe):
    world = Chapter.objects.get(url_path="")
    with translation.override("es"):
        assert names_of(selectors.children_of(world)) == ["Alemania", "Francia", "Russia"]
        around = selectors.children_around([world])[world.pk].top
        assert names_of(around) == ["Alemania", "Francia", "Russia"]
    with translation.override("en"):
        assert names_of(selectors.children_of(world)) == ["France", "Germany", "Russia"]


def test_the_chapter_page_lists_sub_chapters_in_the_readers_language(europe, client):
    page = client.get("/c/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert page.index("Alemania") < page.index("Francia")


def test_accented_neighbourhoods_sort_with_their_letter(db):
    for name in ("Bosque", "Ángel", "Zona"):
        make_member(name, city="London", neighbourhood=name)
    london = Chapter.objects.get(url_path="gb/eng/london")
    assert names_of(selectors.children_of(london)) == ["Ángel", "Bosque", "Zona"]
    assert names_of(selectors.children_around([london])[london.pk].top) == [
        "Ángel", "Bosque", "Zona"
    ]
    assert names_of(selectors.chapters_named_within(london, ""))[1:] == ["Ángel", "Bosque", "Zona"]


@pytest.mark.parametrize("typed", ["Moscú", "moscu", "Москва", "موسكو", "Moskva"])
def test_the_chapter_search_finds_a_chapter_by_any_of_its_places_names(europe, typed):
    world = Chapter.objects.get(url_path="")
    assert [c.url_path for c in selectors.chapters_named_within(world, typed)] == [
        "ru/mow/moscow"
    ]


def test_the_search_autocomplete_shows_the_name_in_the_readers_language(europe, client):
    page = client.get("/c/search/", {"within": "international", "q": "Москва"},
                      HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "موسكو" in page


def test_refreshing_copies_new_place_names_into_chapters_once(europe):
    germany = Place.objects.get(code="DE")
    Place.objects.filter(pk=germany.pk).update(names={"es": "Alemania", "ar": "ألمانيا"})
    assert refresh_place_names() == 1
    chapter = Chapter.objects.get(place=germany)
    assert chapter.names["ar"] == "ألمانيا" and chapter.sort_names["ar"] == "المانيا"
    with translation.override("ar"):
        assert chapter.display_name() == "ألمانيا"
    assert refresh_place_names() == 0
    call_command("refresh_chapter_names", verbosity=0)
