import gzip
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters import selectors
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import (
    GEOJSON_VERSION_KEY,
    MapCell,
    chapters_geojson,
    chapters_geojson_document,
)
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.models import Place
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db

FRANCE: dict[str, Any] = {"region": ("FR-IDF", "Île-de-France"), "country": ("FR", "France")}


def located(
    name: str, city: str, lat: float, lon: float, neighbourhood: str = "", **where: Any
):
    """A member in `city`, whose place (and its region and country) has coordinates."""
    place = make_city(city, **where)
    assert place.parent is not None
    Place.objects.filter(pk__in=[place.pk, place.parent_id, place.parent.parent_id]).update(
        latitude=lat, longitude=lon
    )
    return make_member(name, city=city, neighbourhood=neighbourhood, **where)


@pytest.fixture
def member(db):
    """Overrides the shared fixture: the same member, on the map."""
    return located("Ada Member", "London", 51.50735, -0.12776, neighbourhood="Hackney")


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_the_map_page_is_served_at_map(request, member, persona):
    response = request.getfixturevalue(persona).get("/map/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="map"' in page
    assert 'data-geojson-url="/map/chapters.geojson"' in page
    assert "vendor/leaflet/leaflet.js" in page
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in page
    assert "js/map.js" in page
    # No inline script: every <script> has a src.
    assert page.count("<script") == page.count("<script src=")


def test_the_map_passes_the_tile_settings_as_data_attributes(client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Example tiles"
    page = client.get("/map/").content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'data-tile-attribution="Example tiles"' in page


def test_without_a_tile_server_the_tile_url_is_empty(client, settings):
    settings.MAP_TILE_URL = ""
    assert 'data-tile-url=""' in client.get("/map/").content.decode()


def test_the_header_links_to_the_map(client):
    assert 'href="/map/"' in client.get("/c/").content.decode()


def test_the_geojson_is_a_feature_collection_of_chapters(member):
    located("P", "Paris", 48.85, 2.35, **FRANCE)
    data = chapters_geojson()
    assert data["type"] == "FeatureCollection"
    by_url = {f["properties"]["url"]: f for f in data["features"]}
    # International has no coordinates; every other chapter is there.
    assert "/c/" not in by_url
    assert set(by_url) == {
        f"/c/{c.url_path}/" for c in Chapter.objects.exclude(url_path="")
    }
    london = by_url["/c/gb/eng/london/"]
    assert london["type"] == "Feature"
    assert london["geometry"]["type"] == "Point"
    chapter = Chapter.objects.get(url_path="gb/eng/london")
    assert london["geometry"]["coordinates"] == [-0.12776, 51.50735]
    assert (chapter.latitude, chapter.longitude) == (51.50735, -0.12776)
    assert london["properties"] == {
        "name": "London", "level": 3, "level_name": "City or town", "count": 1,
        "url": "/c/gb/eng/london/",
    }


def test_a_neighbourhood_sits_at_its_city(member):
    data = chapters_geojson()
    by_url = {f["properties"]["url"]: f for f in data["features"]}
    assert by_url["/c/gb/eng/london/hackney/"]["geometry"] == \
        by_url["/c/gb/eng/london/"]["geometry"]
    assert by_url["/c/gb/eng/london/hackney/"]["properties"]["level"] == 4


def test_chapters_without_coordinates_are_left_out(member):
    Chapter.objects.filter(url_path="gb/eng/london/hackney").update(latitude=None, longitude=None)
    urls = {f["properties"]["url"] for f in chapters_geojson()["features"]}
    assert "/c/gb/eng/london/hackney/" not in urls
    assert "/c/gb/eng/london/" in urls


def test_names_are_in_the_requested_language(member):
    Chapter.objects.filter(url_path="gb").update(names={"es": "Reino Unido"})
    Chapter.objects.filter(url_path="gb/eng/london").update(names={"fr": "Londres"})
    names = {f["properties"]["url"]: f["properties"]["name"]
             for f in chapters_geojson(language="es")["features"]}
    assert names["/c/gb/"] == "Reino Unido"
    assert names["/c/gb/eng/london/"] == "London"


def test_the_geojson_query_count_does_not_grow(member, django_assert_num_queries):
    with django_assert_num_queries(1):
        small = chapters_geojson()
    for index, city in enumerate(["Manchester", "Bristol", "York", "Leeds"]):
        located(city, city, 53.0 + index, -2.0, neighbourhood="Centre")
    with django_assert_num_queries(1):
        large = chapters_geojson()
    assert len(large["features"]) == len(small["features"]) + 8


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_the_endpoint_serves_geojson_to_everyone(request, member, persona):
    response = request.getfixturevalue(persona).get("/map/chapters.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["ETag"]
    assert "max-age=60" in response["Cache-Control"]
    assert json.loads(response.content)["type"] == "FeatureCollection"


def test_the_endpoint_is_cached_and_a_second_call_runs_no_query(
    client, member, django_assert_num_queries
):
    first = client.get("/map/chapters.geojson")
    with django_assert_num_queries(0):
        second = client.get("/map/chapters.geojson")
    assert second.content == first.content


def test_the_endpoint_answers_304_to_a_matching_etag(client, member):
    etag = client.get("/map/chapters.geojson")["ETag"]
    response = client.get("/map/chapters.geojson", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_the_endpoint_sends_gzip_when_accepted(client, member):
    plain = client.get("/map/chapters.geojson")
    packed = client.get("/map/chapters.geojson", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Accept-Encoding" in packed["Vary"]


def cell_at(lat: float, lon: float, level: int = 5) -> MapCell:
    size = 360 / 2 ** level
    return MapCell(level, int((lon + 180) // size), int((lat + 90) // size))


def urls_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [f["properties"]["url"] for f in json.loads(response.content)["features"]]


LONDON = cell_at(51.50735, -0.12776)


def test_a_new_chapter_shows_in_its_cell_at_once(
    client, member, django_capture_on_commit_callbacks
):
    before = urls_of(client.get(f"/map/chapters.geojson?cell={LONDON}"))
    with django_capture_on_commit_callbacks(execute=True):
        located("M", "Manchester", 51.6, -0.2)
    after = urls_of(client.get(f"/map/chapters.geojson?cell={LONDON}"))
    assert set(after) - set(before) == {"/c/gb/eng/manchester/"}


def test_the_first_document_holds_the_countries_only(client, member):
    located("P", "Paris", 48.85, 2.35, neighbourhood="Marais", **FRANCE)
    levels = {c.level for c in Chapter.objects.all()}
    assert levels == {0, 1, 2, 3, 4}
    assert sorted(urls_of(client.get("/map/chapters.geojson"))) == ["/c/fr/", "/c/gb/"]
    assert [f["properties"]["level"] for f in chapters_geojson(part="first")["features"]] == [1, 1]


def test_a_cell_holds_its_regions_cities_and_neighbourhoods_only(client, member):
    located("P", "Paris", 48.85, 2.35, neighbourhood="Marais", **FRANCE)
    paris = cell_at(48.85, 2.35)
    assert paris != LONDON
    assert urls_of(client.get(f"/map/chapters.geojson?cell={LONDON}")) == [
        # The most members first (all 1 here), then by path: a parent before its children.
        "/c/gb/eng/", "/c/gb/eng/london/", "/c/gb/eng/london/hackney/",
    ]
    body = json.loads(client.get(f"/map/chapters.geojson?cell={paris}").content)
    assert [f["properties"]["url"] for f in body["features"]] == [
        "/c/fr/idf/", "/c/fr/idf/paris/", "/c/fr/idf/paris/marais/",
    ]
    assert (body["cell"], body["limit"], body["capped"]) == (str(paris), 300, False)
    # A coarser level's cell (0° to 90° east, 0° to 90° north) holds Paris, not London.
    assert urls_of(client.get("/map/chapters.geojson?cell=2/2/1")) == [
        "/c/fr/idf/", "/c/fr/idf/paris/", "/c/fr/idf/paris/marais/",
    ]
    # An empty cell (the Southern Ocean) is an empty collection.
    assert urls_of(client.get("/map/chapters.geojson?cell=5/0/0")) == []


def test_a_cell_holds_its_largest_chapters_up_to_the_limit(client, member, monkeypatch):
    for name in ["Ben", "Cy"]:
        make_member(name, city="London", neighbourhood="Camden")
    make_member("Di", city="London", neighbourhood="Bow")
    monkeypatch.setattr(selectors, "MAP_CELL_LIMIT", 4)
    body = json.loads(client.get(f"/map/chapters.geojson?cell={LONDON}").content)
    assert [(f["properties"]["url"], f["properties"]["count"]) for f in body["features"]] == [
        ("/c/gb/eng/", 4), ("/c/gb/eng/london/", 4), ("/c/gb/eng/london/camden/", 2),
        ("/c/gb/eng/london/hackney/", 1),  # before Bow: the same count, an older path
    ]
    assert (body["limit"], body["capped"]) == (4, True)
    monkeypatch.setattr(selectors, "MAP_CELL_LIMIT", 5)
    cache.clear()
    body = json.loads(client.get(f"/map/chapters.geojson?cell={LONDON}").content)
    assert (len(body["features"]), body["capped"]) == (5, False)


@pytest.mark.parametrize("cell", [
    "", "x", "5", "5/15", "5/15/12/1", "5/-1/12", "5/1.5/12", "1/0/0", "11/0/0",
    "5/32/0", "5/0/16", "2/4/0", "5/15/12 ", "५/1/1", "999/1/1",
])
def test_a_malformed_cell_is_refused_with_a_clear_message(client, member, cell):
    response = client.get("/map/chapters.geojson", {"cell": cell})
    assert response.status_code == 400
    assert response.content.decode() == (
        "A map cell is written level/x/y: a level from 2 to 10, then a column and a row "
        "of that level's grid."
    )


def test_every_point_of_the_world_is_in_one_cell_of_a_level(member):
    assert MapCell.parse("2/0/0").bounds() == (-180, -90, -90, 0)
    assert MapCell.parse("10/1023/511").bounds()[2:] == (180, 90)
    london = Chapter.objects.filter(url_path="gb/eng/london")
    grid = [MapCell(3, x, y) for x in range(8) for y in range(4)]
    for lat, lon in [(0.0, 0.0), (90.0, 180.0), (-90.0, -180.0), (45.0, -90.0), (51.5, -0.1)]:
        london.update(latitude=lat, longitude=lon)
        holding = [cell for cell in grid if london.filter(cell.contains()).exists()]
        assert len(holding) == 1, (lat, lon, holding)


def test_a_chapter_on_a_cell_s_edge_is_in_the_cell_east_and_north_of_it(member):
    Chapter.objects.filter(url_path="gb/eng/london").update(latitude=45.0, longitude=0.0)

    def urls(cell: str) -> list[str]:
        features = chapters_geojson(part=MapCell.parse(cell))["features"]
        return [f["properties"]["url"] for f in features]

    assert "/c/gb/eng/london/" in urls("3/4/3")
    assert "/c/gb/eng/london/" not in urls("3/3/3")
    assert "/c/gb/eng/london/" not in urls("3/4/2")


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_a_cell_is_served_to_everyone(request, member, persona):
    response = request.getfixturevalue(persona).get(f"/map/chapters.geojson?cell={LONDON}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age=60" in response["Cache-Control"]
    assert len(urls_of(response)) == 3


def test_a_cell_is_cached_per_cell_with_etag_and_gzip(client, member, django_assert_num_queries):
    url = f"/map/chapters.geojson?cell={LONDON}"
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(packed.content) == first.content
    other = client.get("/map/chapters.geojson?cell=5/0/0")
    assert other["ETag"] != first["ETag"]


def test_a_cell_costs_one_query_whatever_its_size(client, member):
    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/map/chapters.geojson?cell={LONDON}").status_code == 200
        return len(captured)

    few = queries()
    for index in range(6):
        make_member(f"N{index}", city="London", neighbourhood=f"Quarter {index}")
    many = queries()
    assert len(urls_of(client.get(f"/map/chapters.geojson?cell={LONDON}"))) == 9
    assert many == few
    with CaptureQueriesContext(connection) as captured:
        chapters_geojson(part=LONDON)
    assert len(captured) == 1


def test_the_version_starts_afresh_when_missing(member, django_capture_on_commit_callbacks):
    cache.delete(GEOJSON_VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        make_member("M", city="Manchester")
    assert cache.get(GEOJSON_VERSION_KEY) > 1


def test_the_document_is_cached_per_language(member, django_assert_num_queries):
    chapters_geojson_document(language="en")
    with django_assert_num_queries(1):
        chapters_geojson_document(language="es")
    with django_assert_num_queries(0):
        chapters_geojson_document(language="en")
        chapters_geojson_document(language="es")


def test_an_unknown_language_falls_back_to_the_default(member):
    assert chapters_geojson_document(language="xx") == chapters_geojson_document(language="en")


def test_names_are_data_not_markup(member):
    evil = make_member("E", city="London", neighbourhood="Evil <img src=x onerror=alert(1)>")
    feature_names = {f["properties"]["name"] for f in chapters_geojson()["features"]}
    assert evil.home_chapter.name in feature_names  # escaped by the map's DOM code, not here
