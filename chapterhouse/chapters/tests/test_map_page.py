"""The map page around the map (issue #15 item 8): the bundled world outline, the
legend, the viewer's chapters, the place search and the list of chapters that is
all there is without JavaScript. What the browser draws is in tests/browser/test_map.py."""

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

FRANCE: dict[str, Any] = {"region": ("FR-IDF", "Île-de-France"), "country": ("FR", "France")}


def page_of(client, url: str = "/map/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def listed(page: str, section: str) -> list[str]:
    """The chapter URLs listed in the list marked `data-<section>`, in order."""
    match = re.search(rf"<ul class=\"map-chapter-list\" data-{section}>(.*?)</ul>", page, re.S)
    assert match, f"no {section} list"
    return re.findall(r'data-map-chapter="([^"]+)"', match.group(1))


def test_the_world_outline_is_bundled_and_small():
    path = finders.find("vendor/world-atlas/countries-110m.json")
    assert path, "the world outline is a static file, never fetched at run time"
    body = Path(path).read_bytes()
    topology = json.loads(body)
    assert topology["type"] == "Topology"
    assert len(topology["objects"]["countries"]["geometries"]) == 177
    assert len(gzip.compress(body, 9)) < 30_000
    assert finders.find("vendor/world-atlas/README.txt")
    assert finders.find("vendor/topojson-client/topojson-client.min.js")


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_the_page_points_the_map_at_the_bundled_outline(request, member, persona):
    page = page_of(request.getfixturevalue(persona))
    assert 'data-base-url="/static/vendor/world-atlas/countries-110m.json"' in page
    assert "vendor/topojson-client/topojson-client.min.js" in page
    assert page.count("<script") == page.count("<script src=")


def test_tiles_stay_optional(client, settings):
    settings.MAP_TILE_URL = ""
    page = page_of(client)
    assert 'data-tile-url=""' in page
    assert 'data-base-url="/static/' in page  # the outline does not depend on tiles


def test_the_legend_says_sizes_and_numbers_count_members(client, member):
    page = page_of(client)
    legend = page[page.index('id="map-legend"'):page.index('id="map-list-heading"')]
    # Shown by map.js: without JavaScript there is no map to explain.
    assert re.search(r'<section class="map-legend" id="map-legend"[^>]* hidden>', page)
    assert legend.count("data-legend-count=") == 4
    assert "1 member<" in legend and "300 members<" in legend
    assert "counts their members, each member once (not the chapters)" in legend
    for level in ["Country", "Region", "City or town", "Neighbourhood"]:
        assert f"</span>{level}</li>" in legend
    assert "Your chapters." not in legend  # anonymous: no outline to explain


def test_without_javascript_the_countries_are_listed_with_their_members(client, member):
    make_member("P1", city="Paris", **FRANCE)
    make_member("P2", city="Lyon", **FRANCE)
    page = page_of(client)
    assert listed(page, "map-list") == ["/c/fr/", "/c/gb/"]  # most members first
    assert '<a href="/c/fr/" dir="auto">France</a>' in page
    assert "Country · 2 members" in page
    assert "Country · 1 member<" in page
    assert "The map needs JavaScript; the chapters are listed below it." in page


def test_a_member_sees_their_chapters_outlined_in_the_legend(member_client, member):
    page = page_of(member_client)
    assert listed(page, "map-mine") == [
        "/c/gb/", "/c/gb/eng/", "/c/gb/eng/london/", "/c/gb/eng/london/hackney/",
    ]
    assert "Your chapters." in page


def test_an_outsider_sees_their_own_chapters(outsider_client, outsider, member):
    home = outsider.home_chapter.get_absolute_url()
    assert listed(page_of(outsider_client), "map-mine")[-1] == home


def test_a_visitor_has_no_chapters_list(client, member):
    assert "data-map-mine" not in page_of(client)


def test_the_search_is_the_one_autocomplete_over_chapters(client):
    page = page_of(client)
    # The map's own field (the header's search box, before <main>, is the site search).
    field = re.search(r"<input[^>]*name=\"q\"[^>]*>", page[page.index("<main"):])
    assert field
    assert 'hx-get="/c/search/?within=international"' in field.group(0)
    assert 'data-autocomplete-query="q"' in field.group(0)
    assert 'hx-target="#map-search-suggestions"' in field.group(0)
    assert 'id="map-search-suggestions"' in page
    assert "js/autocomplete.js" in page


def test_a_search_without_javascript_lists_the_chapters_found(client, member):
    make_member("P", city="Paris", **FRANCE)
    page = page_of(client, "/map/?q=pari")
    assert "Chapters matching “pari”" in page
    paris = Chapter.objects.get(name="Paris").get_absolute_url()
    assert listed(page, "map-results") == [paris]
    assert 'value="pari"' in page


def test_a_search_finds_by_address_and_never_lists_international(client, member):
    page = page_of(client, "/map/?q=gb/eng/london")
    assert listed(page, "map-results") == ["/c/gb/eng/london/", "/c/gb/eng/london/hackney/"]
    assert "No chapter matches “International”." in page_of(client, "/map/?q=International")


def test_a_search_that_finds_nothing_says_so(client, member):
    page = page_of(client, "/map/?q=Atlantis")
    assert "No chapter matches “Atlantis”." in page
    assert "data-map-results" not in page


def test_a_long_query_is_cut_not_refused(client, member):
    assert client.get("/map/?q=" + "x" * 500).status_code == 200


@pytest.mark.parametrize("persona", ["client", "member_client"])
def test_the_map_page_query_count_does_not_grow(request, member, persona):
    client = request.getfixturevalue(persona)
    page_of(client)  # a member's first request of a while also notes when they were seen
    with CaptureQueriesContext(connection) as few:
        page_of(client)
    for code, name, city in [("DE", "Germany", "Berlin"), ("IT", "Italy", "Rome"),
                             ("ES", "Spain", "Madrid"), ("PT", "Portugal", "Lisbon")]:
        make_member(city, city=city, region=(f"{code}-X", f"{name} region"), country=(code, name))
    with CaptureQueriesContext(connection) as many:
        page = page_of(client)
    assert len(listed(page, "map-list")) == 5
    assert len(many) == len(few)


def test_the_query_is_shown_as_text_not_markup(client, member):
    page = page_of(client, "/map/?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in page
    assert "No chapter matches “&lt;script&gt;alert(1)&lt;/script&gt;”." in page


def test_the_viewer_s_chapters_and_the_results_carry_their_place_for_the_map(
    member_client, member
):
    """map.js draws them from the page at every zoom, before their cell is loaded; the
    numbers are written for code, never localised (French would write 51,5)."""
    Chapter.objects.filter(url_path="gb/eng/london").update(
        latitude=51.50735, longitude=-0.12776, member_count=1234)
    member_client.cookies["django_language"] = "fr"
    page = page_of(member_client, "/map/?q=london")
    london = '<li data-map-chapter="/c/gb/eng/london/" data-map-at="51.50735,-0.12776" ' \
        'data-map-level="3" data-map-count="1234">'
    assert page.count(london) == 2  # among the viewer's chapters and the results
    # Without a place (the neighbourhood here), nothing to draw; the countries' list
    # below the map needs none (the map's first document has them).
    assert '<li data-map-chapter="/c/gb/eng/london/hackney/">' in page
    assert '<li data-map-chapter="/c/gb/">' in page


def test_the_data_link_is_every_chapter_and_the_map_asks_for_cells(client, member):
    page = page_of(client)
    assert 'href="/api/v1/chapters/geojson/"' in page
    assert 'data-cell-url="/map/chapters.geojson?cell="' in page
