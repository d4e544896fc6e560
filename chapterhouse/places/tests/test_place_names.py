"""Places in the reader's language and script (#15 items 3–5): the shipped names,
loading them, searching them in any script, and lists in the reader's order.

Loads the real data of a few countries once for the module (cities of 300,000
inhabitants or more), as test_gazetteer does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from chapterhouse.members.forms import LocationForm
from chapterhouse.places import gazetteer, selectors
from chapterhouse.places.models import Place, PlaceKind
from chapterhouse.places.services import load_gazetteer

COUNTRIES = ["GB", "RU", "CN", "EG", "JP", "MX"]
pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.fixture(scope="module")
def names_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_gazetteer(countries=COUNTRIES, min_population=300_000)
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Place._meta.db_table}")  # noqa: S608 - not user input


def shipped_city(country: str, name: str) -> gazetteer.CityRecord:
    return max(
        (c for c in gazetteer.read_cities(countries=[country]) if c.name == name),
        key=lambda c: c.population,
    )


def place(kind: PlaceKind, code: str) -> Place:
    found = selectors.place_by_code(kind, code)
    assert found is not None, code
    return found


# --- the shipped files ---------------------------------------------------------------


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_countries_are_shipped_in_every_language_of_the_interface(language):
    countries = gazetteer.read_countries()
    named = [c for c in countries if language in c.names]
    # Names equal to the English one are left out ("Japan" in German, "Angola").
    assert len(named) > (240 if language == "ar" else 140), language


def test_arabic_readers_get_arabic_country_names_and_the_local_names_of_arab_regions():
    countries = {c.code: c for c in gazetteer.read_countries()}
    assert countries["GB"].names["ar"] == "المملكة المتّحدة"
    assert countries["EG"].names["ar"] == "مصر"
    regions = {r.code: r for r in gazetteer.read_regions()}
    assert regions["EG-ALX"].names["ar"] == "الإسكندرية"
    # ISO romanises Arabic names ("Al Qāhirah"): never shown as the Arabic one.
    assert all(
        not any("a" <= char.lower() <= "z" for char in r.names.get("ar", ""))
        for r in regions.values()
    )


def test_the_largest_cities_are_shipped_with_their_names_in_each_language():
    london = shipped_city("GB", "London")
    assert london.names["es"] == "Londres" and london.names["ar"] == "لندن"
    assert shipped_city("RU", "Moscow").names["es"] == "Moscú"
    assert shipped_city("MX", "Mexico City").names["es"] == "Ciudad de México"


def test_cities_keep_their_names_in_their_own_script_and_in_arabic():
    assert "Москва" in shipped_city("RU", "Moscow").alt_names
    assert "北京" in shipped_city("CN", "Beijing").alt_names
    assert "القاهرة" in shipped_city("EG", "Cairo").alt_names
    assert "東京" in shipped_city("JP", "Tokyo").alt_names
    london = shipped_city("GB", "London").alt_names
    assert "لندن" in london  # Arabic: a language of the interface
    assert "伦敦" not in london and "Лондон" not in london  # not Britain's scripts


def test_names_in_other_scripts_cost_under_a_megabyte_compressed():
    # 4.75 MB before names in other scripts were kept (see data/SOURCES.md).
    assert (gazetteer.DATA_DIR / "cities.tsv.gz").stat().st_size < 5_800_000


# --- loaded and shown ----------------------------------------------------------------


def test_places_show_their_name_in_the_active_language(names_db):
    london = selectors.resolve_city(region=place(PlaceKind.REGION, "GB-ENG"), name="London")
    assert london is not None
    for language, expected in [("es", "Londres"), ("ar", "لندن"), ("en", "London")]:
        with translation.override(language):
            assert london.display_name() == expected == str(london)
    with translation.override("ar"):
        assert place(PlaceKind.COUNTRY, "GB").display_name() == "المملكة المتّحدة"


@pytest.mark.parametrize(
    ("country", "typed", "found"),
    [("RU", "Москва", "Moscow"), ("CN", "北京", "Beijing"), ("EG", "القاهرة", "Cairo"),
     ("GB", "londres", "London"), ("GB", "لندن", "London"), ("JP", "東京", "Tokyo")],
)
def test_a_city_is_found_by_its_name_in_any_language_or_script(names_db, country, typed, found):
    area = place(PlaceKind.COUNTRY, country)
    assert [c.name for c in selectors.search_cities(region=area, query=typed)][:1] == [found]
    resolved = selectors.resolve_city(region=area, name=typed)
    assert resolved is not None and resolved.name == found


def test_the_city_picker_suggests_moscow_for_its_russian_name(names_db, client):
    page = client.get("/places/cities/", {"country": "RU", "city": "Москва"}).content.decode()
    assert "Moscow" in page


def test_the_country_list_is_in_the_readers_language_and_order(names_db):
    with translation.override("es"):
        codes = [c.code for c in selectors.countries()]
        choices = [label for _code, label in LocationForm().fields["country"].widget.choices]
    # Alemania is an A in Spanish; México comes before Mozambique.
    assert codes.index("DE") < codes.index("AR") and codes.index("MX") < codes.index("MZ")
    assert choices.index("Alemania") < choices.index("Argentina")
    assert choices.index("México") < choices.index("Mozambique")


def test_a_region_with_a_long_vowel_sorts_among_its_letter(names_db, client):
    codes = [r.code for r in selectors.regions_of("JP")]
    assert codes.index("JP-27") < codes.index("JP-41")  # Ōsaka before Saga, in SQL
    page = client.get("/places/regions/", {"country": "JP"}).content.decode()
    assert page.index("Ōsaka") < page.index("Saga") < page.index("Yamagata")
