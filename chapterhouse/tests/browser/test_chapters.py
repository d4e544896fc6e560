"""Chapters in a real Chromium: the world map and the breadcrumb dropdowns."""

import pytest

from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.models import Place
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db(transaction=True)

FRANCE = {"region": ("FR-IDF", "Île-de-France"), "country": ("FR", "France")}


def place_member(name: str, city: str, coordinates, **where):
    """A member in `city`; the city, region and country get the given coordinates."""
    place = make_city(city, **where)
    assert place.parent is not None and place.parent.parent is not None
    for target, (lat, lon) in zip(
        [place, place.parent, place.parent.parent], coordinates, strict=True
    ):
        Place.objects.filter(pk=target.pk).update(latitude=lat, longitude=lon)
    return make_member(name, city=city, **where)


@pytest.fixture
def world(db):
    place_member("Ada", "London", [(51.5, -0.12), (52.5, -1.5), (54.0, -2.0)])
    place_member("Pia", "Paris", [(48.85, 2.35), (48.7, 2.5), (46.6, 2.4)], **FRANCE)


def test_the_map_shows_chapters_and_a_marker_leads_to_its_chapter(page, world, settings):
    settings.MAP_TILE_URL = ""  # no tile server: the markers still show
    page.goto("/map/")
    page.wait_for_selector("#map[data-loaded='6']")
    # Zoomed out, nearby chapters are clustered; clicking a cluster zooms in.
    for _attempt in range(8):
        if page.locator("path.leaflet-interactive").count():
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(600)
    marker = page.locator("path.leaflet-interactive").first
    marker.click(force=True)
    link = page.locator(".leaflet-popup a.chapter-link")
    link.wait_for()
    href = link.get_attribute("href")
    assert href and href.startswith("/c/")
    link.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("h1").count() == 1
    assert page.csp_errors == []


def test_the_breadcrumb_dropdown_jumps_to_a_sibling_without_javascript(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    tab.goto("/c/gb/eng/london/")
    country = tab.locator(".breadcrumb details").first
    country.locator("summary").click()
    country.get_by_role("link", name="France").click()
    tab.wait_for_url("**/c/fr/")
    assert tab.locator("h1").inner_text() == "France"
    context.close()


def test_a_visitor_served_a_cached_chapter_page_can_switch_language(
    page, browser, live_server, world, settings
):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    from django.core.cache import cache

    cache.clear()
    # Another visitor's visit puts the page in the cache...
    other = browser.new_context(base_url=live_server.url)
    other.new_page().goto("/c/gb/")
    other.close()
    # ...and this visitor is served that copy, with a CSRF token of their own.
    page.goto("/c/gb/")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("#language-select", "es")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Capítulos").first.is_visible()
    assert page.csp_errors == []
    cache.clear()
