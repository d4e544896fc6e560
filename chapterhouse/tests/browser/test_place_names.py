"""Places in the reader's language and script, in a real Chromium (#15 items 3–5),
from the shipped gazetteer (Britain and Russia, cities of a million or more)."""

import pytest

from chapterhouse.members.services import register_member
from chapterhouse.members.tests.factories import make_user
from chapterhouse.places import selectors
from chapterhouse.places.models import PlaceKind
from chapterhouse.places.services import load_gazetteer

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gazetteer(db):
    load_gazetteer(countries=["GB", "RU"], min_population=1_000_000)
    england = selectors.place_by_code(PlaceKind.REGION, "GB-ENG")
    assert england is not None
    london = selectors.resolve_city(region=england, name="London")
    assert london is not None
    register_member(user=make_user(), display_name="Ada", city=london, neighbourhood="")


def reader(browser, live_server, locale: str):
    context = browser.new_context(base_url=live_server.url, locale=locale)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return context, tab


def test_a_spanish_reader_sees_places_in_spanish(browser, live_server, gazetteer):
    context, tab = reader(browser, live_server, "es-ES")
    tab.goto("/c/gb/eng/london/")
    assert tab.locator("h1").inner_text().strip() == "Londres"
    crumbs = tab.locator(".breadcrumb").inner_text()
    # iso-codes has no Spanish name for England: it stays English.
    assert "Reino Unido" in crumbs and "England" in crumbs
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "places-es-london.png"), full_page=True)
    context.close()


def test_an_arabic_reader_sees_arabic_country_names(browser, live_server, gazetteer):
    context, tab = reader(browser, live_server, "ar")
    tab.goto("/c/gb/")
    assert tab.locator("html").get_attribute("dir") == "rtl"
    assert tab.locator("h1").inner_text().strip() == "المملكة المتّحدة"
    tab.goto("/c/gb/eng/london/")
    assert tab.locator("h1").inner_text().strip() == "لندن"
    assert "المملكة المتّحدة" in tab.locator(".breadcrumb").inner_text()
    tab.screenshot(path=str(ARTIFACTS / "places-ar-britain.png"), full_page=True)
    context.close()


def test_the_sign_up_city_picker_finds_moscow_by_its_russian_name(
    browser, live_server, gazetteer
):
    context, tab = reader(browser, live_server, "en-GB")
    tab.goto("/accounts/signup/")
    with tab.expect_response("**/places/regions/**"):
        tab.select_option("#id_country", "RU")
    tab.locator("#id_city").press_sequentially("Москва", delay=20)
    suggestion = tab.locator("#id_city-suggestions [data-city-name]")
    suggestion.first.wait_for()
    assert suggestion.first.inner_text().startswith("Moscow")
    tab.screenshot(path=str(ARTIFACTS / "places-moskva-suggestion.png"))
    suggestion.first.click()
    assert tab.input_value("#id_city") == "Moscow"
    context.close()
