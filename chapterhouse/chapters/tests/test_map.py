import gzip
import json
from typing import Any

import pytest
from django.core.cache import cache

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import (
    GEOJSON_VERSION_KEY,
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


def test_a_new_chapter_shows_at_once(client, member, django_capture_on_commit_callbacks):
    before = json.loads(client.get("/map/chapters.geojson").content)
    with django_capture_on_commit_callbacks(execute=True):
        located("M", "Manchester", 53.48, -2.24)
    after = json.loads(client.get("/map/chapters.geojson").content)
    assert len(after["features"]) == len(before["features"]) + 1


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
