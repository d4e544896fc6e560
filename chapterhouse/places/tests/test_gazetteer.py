"""The shipped gazetteer: its files, loading them, and the selectors over them.

The database tests load the real data for a handful of countries once for this
module (all countries, regions and cities of TEST_COUNTRIES), which takes a few
seconds; the file tests read the whole data set without a database.
"""

from __future__ import annotations

import collections
import gzip
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from chapterhouse.places import gazetteer, selectors
from chapterhouse.places.models import Place, PlaceKind, ascii_fold
from chapterhouse.places.services import load_gazetteer

TEST_COUNTRIES = ["GB", "FR", "BR", "ES", "IN", "US"]
# Keeps the module's load to a few thousand cities; every city asserted on is larger.
TEST_MIN_POPULATION = 20_000

KNOWN_CITIES = [
    ("GB", "London", "GB-ENG", "England"),
    ("FR", "Lyon", "FR-ARA", "Auvergne-Rhône-Alpes"),
    ("BR", "São Paulo", "BR-SP", "São Paulo"),
    ("ES", "Sevilla", "ES-AN", "Andalusia"),
    ("IN", "Mumbai", "IN-MH", "Maharashtra"),
    ("US", "Austin", "US-TX", "Texas"),
]


@pytest.fixture(scope="module")
def gazetteer_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_gazetteer(countries=TEST_COUNTRIES, min_population=TEST_MIN_POPULATION)
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # One statement, so the self-referencing rows go together; the ORM would
        # collect the cascade row by row. Other tests expect an empty table.
        cursor.execute(f"DELETE FROM {Place._meta.db_table}")  # noqa: S608 - not user input


pytestmark = pytest.mark.django_db


def place(kind: PlaceKind, code: str) -> Place:
    found = selectors.place_by_code(kind, code)
    assert found is not None, code
    return found


def city(area: Place, name: str) -> Place:
    found = selectors.resolve_city(region=area, name=name)
    assert found is not None, name
    return found


def counts() -> dict[str, int]:
    return dict(collections.Counter(Place.objects.values_list("kind", flat=True)))


# --- the shipped files ---------------------------------------------------------------


def test_the_shipped_data_stays_a_few_megabytes():
    total = sum(path.stat().st_size for path in gazetteer.DATA_DIR.glob("*.gz"))
    assert total < 8_000_000


def test_every_country_is_shipped_with_coordinates():
    countries = gazetteer.read_countries()
    assert len(countries) >= 240
    assert all(c.latitude is not None and c.longitude is not None for c in countries)


def test_every_region_belongs_to_a_shipped_country_and_has_coordinates():
    countries = {c.code for c in gazetteer.read_countries()}
    regions = gazetteer.read_regions()
    assert len(regions) > 3000
    assert all(r.country_code in countries for r in regions)
    assert all(r.latitude is not None and r.longitude is not None for r in regions)


def test_every_city_hangs_from_a_shipped_region_or_country_without_regions():
    countries = {c.code for c in gazetteer.read_countries()}
    regions = {r.code for r in gazetteer.read_regions()}
    with_regions = {code.split("-")[0] for code in regions}
    cities = list(gazetteer.read_cities())
    assert len(cities) > 100_000
    for city in cities:
        if city.parent in countries:
            assert city.parent not in with_regions, city
        else:
            assert city.parent in regions, city


def test_regions_are_top_level_subdivisions_not_second_level_ones():
    regions = {r.code: r.name for r in gazetteer.read_regions()}
    assert {code for code in regions if code.startswith("GB-")} == {
        "GB-ENG",
        "GB-NIR",
        "GB-SCT",
        "GB-WLS",
    }
    assert "FR-ARA" in regions and "FR-69" not in regions  # régions, not départements
    assert "ES-AN" in regions and "ES-SE" not in regions  # communities, not provinces
    assert "GB-LND" not in regions


def test_the_data_files_have_a_version():
    assert len(gazetteer.data_version()) == 16


def test_the_data_files_are_gzip_tsv_with_a_header():
    with gzip.open(gazetteer.DATA_DIR / "cities.tsv.gz", "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
    assert header == [
        "code",
        "name",
        "latitude",
        "longitude",
        "population",
        "timezone",
        "parent",
        "alt_names",
        "names",
    ]


# --- loading -------------------------------------------------------------------------


@pytest.mark.parametrize(("country", "city_name", "region_code", "region_name"), KNOWN_CITIES)
def test_known_cities_land_in_the_right_region(
    gazetteer_db, country, city_name, region_code, region_name
):
    found = city(place(PlaceKind.COUNTRY, country), city_name)
    assert found.parent is not None and found.parent.parent is not None
    assert found.parent.code == region_code
    assert found.parent.name == region_name
    assert found.parent.parent.code == country
    assert found.country_code == country


def test_cities_carry_population_time_zone_and_coordinates(gazetteer_db):
    london = city(place(PlaceKind.REGION, "GB-ENG"), "London")
    assert london.population > 5_000_000
    assert london.timezone == "Europe/London"
    assert london.latitude == pytest.approx(51.5, abs=0.1)
    assert london.longitude == pytest.approx(-0.13, abs=0.1)


def test_every_loaded_city_has_a_region_or_country_as_parent(gazetteer_db):
    cities = Place.objects.filter(kind=PlaceKind.CITY)
    assert cities.exists()
    assert not cities.filter(parent__isnull=True).exists()
    assert not cities.exclude(parent__kind__in=[PlaceKind.REGION, PlaceKind.COUNTRY]).exists()
    assert not Place.objects.filter(kind=PlaceKind.REGION, parent__isnull=True).exists()


def test_all_countries_are_loaded_with_coordinates(gazetteer_db):
    countries = selectors.countries()
    assert countries.count() >= 240
    assert not countries.filter(latitude__isnull=True).exists()
    assert not countries.filter(longitude__isnull=True).exists()


def test_regions_and_cities_are_loaded_only_for_the_chosen_countries(gazetteer_db):
    assert set(
        Place.objects.exclude(kind=PlaceKind.COUNTRY).values_list("country_code", flat=True)
    ) == set(TEST_COUNTRIES)
    assert not Place.objects.filter(
        kind=PlaceKind.CITY, population__lt=TEST_MIN_POPULATION
    ).exists()


def test_countries_have_spanish_names(gazetteer_db):
    germany = place(PlaceKind.COUNTRY, "DE")
    assert germany.name == "Germany"
    assert germany.names["es"] == "Alemania"
    assert germany.local_name("es") == "Alemania"
    assert place(PlaceKind.COUNTRY, "GB").local_name("es") == "Reino Unido"


def test_regions_have_translated_names_and_fall_back_to_english(gazetteer_db):
    andalusia = place(PlaceKind.REGION, "ES-AN")
    assert andalusia.local_name("es") == "Andalucía"
    assert andalusia.local_name("en") == "Andalusia"
    assert place(PlaceKind.REGION, "GB-ENG").local_name("es") == "England"


def test_ascii_names_are_lowercase_and_without_accents(gazetteer_db):
    sao_paulo = place(PlaceKind.REGION, "BR-SP")
    assert sao_paulo.ascii_name == "sao paulo"


def test_loading_again_creates_and_changes_nothing(gazetteer_db):
    before = counts()
    report = load_gazetteer(countries=TEST_COUNTRIES, min_population=TEST_MIN_POPULATION)
    assert report.created == 0
    assert report.updated == 0
    assert report.unchanged == sum(before.values())
    assert counts() == before


def test_loading_again_repairs_a_changed_place(gazetteer_db):
    Place.objects.filter(kind=PlaceKind.REGION, code="GB-ENG").update(name="Engerland")
    report = load_gazetteer(countries=["GB"], min_population=TEST_MIN_POPULATION)
    assert (report.created, report.updated) == (0, 1)
    assert place(PlaceKind.REGION, "GB-ENG").name == "England"


def test_the_command_loads_more_countries_and_says_what_it_did(gazetteer_db):
    out = StringIO()
    call_command("load_places", countries="de", min_population=500_000, stdout=out)
    assert "created" in out.getvalue()
    assert city(place(PlaceKind.REGION, "DE-NW"), "koln").name == "Köln"

    out = StringIO()
    call_command("load_places", countries="DE", min_population=500_000, stdout=out)
    assert " 0 places created, 0 updated" in out.getvalue()


def test_the_command_rejects_unknown_country_codes(gazetteer_db):
    with pytest.raises(CommandError, match="ZZ"):
        call_command("load_places", countries="GB,ZZ", stdout=StringIO())


# --- selectors -----------------------------------------------------------------------


def test_regions_of_a_country_are_its_top_level_regions(gazetteer_db):
    gb = place(PlaceKind.COUNTRY, "GB")
    assert set(selectors.regions_of(gb).values_list("code", flat=True)) == {
        "GB-ENG",
        "GB-NIR",
        "GB-SCT",
        "GB-WLS",
    }
    assert list(selectors.regions_of("gb")) == list(selectors.regions_of(gb))


def test_cities_of_a_country_without_regions_hang_from_the_country(gazetteer_db):
    load_gazetteer(countries=["XK"], min_population=TEST_MIN_POPULATION)
    kosovo = place(PlaceKind.COUNTRY, "XK")
    assert not selectors.regions_of(kosovo).exists()
    assert city(kosovo, "Pristina").parent == kosovo


def test_search_finds_cities_by_prefix_most_populous_first(gazetteer_db):
    england = place(PlaceKind.REGION, "GB-ENG")
    found = selectors.search_cities(region=england, query="man", limit=5)
    assert found[0].name == "Manchester"
    assert all("man" in found_city.ascii_name for found_city in found)
    assert len(found) <= 5


def test_search_ignores_case_and_accents_and_matches_inside_names(gazetteer_db):
    sao_paulo_state = place(PlaceKind.REGION, "BR-SP")
    found = selectors.search_cities(region=sao_paulo_state, query="SAO PAU")
    assert found[0].name == "São Paulo"
    new_york = place(PlaceKind.REGION, "US-NY")
    assert "New York City" in [
        c.name for c in selectors.search_cities(region=new_york, query="york", limit=3)
    ]


def test_search_and_resolve_know_cities_by_their_other_names(gazetteer_db):
    german_cities = Place.objects.filter(kind=PlaceKind.CITY, country_code="DE")
    assert not german_cities.exists()  # Germany is not loaded by this module
    load_gazetteer(countries=["DE", "AT"], min_population=1_000_000)
    bavaria = place(PlaceKind.REGION, "DE-BY")
    munich = city(bavaria, "München")
    assert munich.name == "Munich"
    assert munich.alt_names.startswith("|") and "|munchen|" in munich.alt_names
    vienna_state = place(PlaceKind.REGION, "AT-9")
    assert selectors.search_cities(region=vienna_state, query="Wie")[0].name == "Vienna"


def test_an_exact_name_beats_another_city_known_by_that_name(gazetteer_db):
    england = place(PlaceKind.REGION, "GB-ENG")
    london = city(england, "London")
    Place.objects.filter(pk=london.pk).update(population=1)
    Place.objects.filter(kind=PlaceKind.CITY, parent=england).exclude(pk=london.pk).filter(
        ascii_name="manchester"
    ).update(alt_names="|london|")
    assert selectors.resolve_city(region=england, name="london") == london
    assert selectors.search_cities(region=england, query="london")[0] == london


def test_search_stays_inside_the_region(gazetteer_db):
    texas = place(PlaceKind.REGION, "US-TX")
    assert {c.parent_id for c in selectors.search_cities(region=texas, query="a")} == {texas.pk}


def test_search_in_a_country_covers_all_its_regions(gazetteer_db):
    france = place(PlaceKind.COUNTRY, "FR")
    assert selectors.search_cities(region=france, query="lyo")[0].name == "Lyon"


def test_search_with_an_empty_query_lists_the_largest_cities(gazetteer_db):
    maharashtra = place(PlaceKind.REGION, "IN-MH")
    assert selectors.search_cities(region=maharashtra, query="  ")[0].name == "Mumbai"


def test_search_takes_one_query_whatever_the_number_of_results(
    gazetteer_db, django_assert_num_queries
):
    england = place(PlaceKind.REGION, "GB-ENG")
    with django_assert_num_queries(1):
        found = selectors.search_cities(region=england, query="a", limit=20)
        parents = {found_city.parent for found_city in found}
    assert len(found) == 20
    assert parents == {england}


@pytest.mark.parametrize("typed", ["sao paulo", "SÃO PAULO", "  São   Paulo ", "Sao-Paulo"])
def test_resolve_city_ignores_case_accents_and_punctuation(gazetteer_db, typed):
    sao_paulo_state = place(PlaceKind.REGION, "BR-SP")
    assert city(sao_paulo_state, typed).name == "São Paulo"


def test_resolve_city_picks_the_most_populous_of_namesakes(gazetteer_db):
    us = place(PlaceKind.COUNTRY, "US")
    namesakes = Place.objects.filter(kind=PlaceKind.CITY, country_code="US", ascii_name="austin")
    top = namesakes.order_by("-population").select_related("parent").first()
    assert top is not None and top.parent is not None
    assert city(us, "Austin") == top
    assert top.parent.code == "US-TX"


def test_resolve_city_returns_none_for_unknown_or_empty_names(gazetteer_db):
    england = place(PlaceKind.REGION, "GB-ENG")
    assert selectors.resolve_city(region=england, name="Lyon") is None
    assert selectors.resolve_city(region=england, name="  ") is None


def test_place_by_code_finds_each_kind_and_nothing_else(gazetteer_db):
    assert place(PlaceKind.COUNTRY, "fr").name == "France"
    auvergne = place(PlaceKind.REGION, "FR-ARA")
    assert auvergne.name == "Auvergne-Rhône-Alpes"
    lyon = city(auvergne, "Lyon")
    assert selectors.place_by_code(PlaceKind.CITY, lyon.code) == lyon
    assert selectors.place_by_code(PlaceKind.REGION, "FR") is None
    assert selectors.place_by_code(PlaceKind.COUNTRY, "") is None


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("São Paulo", "sao paulo"),
        ("Saint-Étienne", "saint etienne"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("  L'Aquila ", "l aquila"),
    ],
)
def test_ascii_fold_strips_accents_case_and_punctuation(text, folded):
    assert ascii_fold(text) == folded


# --- the htmx endpoints --------------------------------------------------------------


def test_anyone_gets_the_regions_of_a_country_as_options(gazetteer_db, client):
    response = client.get(reverse("places:regions"), {"country": "GB"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<option") == 5
    assert 'value="GB-ENG"' in body


def test_region_options_accept_a_prefixed_field_name(gazetteer_db, client):
    response = client.get(reverse("places:regions"), {"signup-country": "FR"})
    assert 'value="FR-ARA"' in response.content.decode()


def test_a_country_without_regions_or_an_unknown_one_gets_a_placeholder(gazetteer_db, client):
    for code in ("AD", "ZZ", ""):
        body = client.get(reverse("places:regions"), {"country": code}).content.decode()
        assert body.count("<option") == 1
        assert 'value=""' in body


def test_anyone_gets_city_suggestions_for_a_region(gazetteer_db, client):
    response = client.get(
        reverse("places:cities"), {"country": "ES", "region": "ES-AN", "city": "sevil"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    sevilla = city(place(PlaceKind.REGION, "ES-AN"), "Sevilla")
    assert f'data-city-code="{sevilla.code}"' in body
    assert "Sevilla" in body


def test_city_suggestions_say_when_nothing_matches(gazetteer_db, client):
    response = client.get(
        reverse("places:cities"), {"country": "GB", "region": "GB-SCT", "city": "Lyon"}
    )
    assert "data-city-code" not in response.content.decode()
    assert "Lyon" in response.content.decode()


def test_city_suggestions_are_empty_without_a_query_or_an_area(gazetteer_db, client):
    for params in ({"country": "GB", "region": "GB-ENG", "city": ""}, {"city": "London"}):
        response = client.get(reverse("places:cities"), params)
        assert response.status_code == 200
        assert "<li" not in response.content.decode()


def test_the_endpoints_refuse_writes(client):
    assert client.post(reverse("places:regions")).status_code == 405
    assert client.post(reverse("places:cities")).status_code == 405
