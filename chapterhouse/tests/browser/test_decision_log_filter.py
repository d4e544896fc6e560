"""The decision log filtered by a chapter's name in a real Chromium (#15 item 14):
with JavaScript a chapter is picked from the one autocomplete; without it a name is
typed and sent, a name of several chapters lists them ("Which London?") and a name
of none says so. At 1280 and 360 pixels; in English and Spanish; no page scrolls
sideways and no console errors (CSP included)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chapterhouse.chapters.services import refresh_place_names
from chapterhouse.decisions.tests.factories import chapter
from chapterhouse.decisions.tests.test_views_pages import decided
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.models import Place, PlaceKind, sort_names_of
from chapterhouse.places.services import alt_names_field

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = ARTIFACTS / "decision-log-filter"
SIZES = {"wide": (1280, 900), "phone": (360, 740)}


@pytest.fixture
def log(db) -> None:
    hackney = make_member("Ada Hackney", city="London", neighbourhood="Hackney")
    islington = make_member("Nia Islington", city="London", neighbourhood="Islington")
    ontario = make_member("Olu Ontario", city="London", region=("CA-ON", "Ontario"),
                          country=("CA", "Canada"))
    decided(hackney, title="Hackney trees")
    decided(islington, title="Islington bins")
    decided(ontario, title="Ontario library", chapter=chapter("ca/on/london"))
    london = Place.objects.get(kind=PlaceKind.CITY, name="London", country_code="GB")
    names = {"es": "Londres", "ar": "لندن"}
    Place.objects.filter(pk=london.pk).update(
        names=names, sort_names=sort_names_of(names),
        alt_names=alt_names_field(names.values(), "london"))
    refresh_place_names()


@pytest.fixture
def reader(browser, live_server) -> Iterator:
    """reader(size, javascript=…, language=…): a page checked for console errors."""
    opened = []

    def open_page(size: str, *, javascript: bool, language: str = "en"):
        width, height = SIZES[size]
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", java_script_enabled=javascript,
            viewport={"width": width, "height": height},
        )
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies([{"name": "django_language", "value": language,
                              "domain": host, "path": "/"}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        opened.append((context, page, errors, width))
        return page

    yield open_page
    for context, _page, errors, _width in opened:
        context.close()
        # A refused filter's page is a 400 on purpose; anything else (CSP) is an error.
        assert [e for e in errors if "status of 400" not in e] == []


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def results(page) -> str:
    return page.locator("#decision-results").inner_text()


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_with_javascript_a_chapter_is_picked_from_the_suggestions(reader, log, size):
    page = reader(size, javascript=True)
    page.goto("/decisions/")
    assert "Hackney trees" in results(page)
    field = page.locator("#id_chapter")
    field.press_sequentially("Lond", delay=30)
    ontario = page.locator(".chapter-filter [data-suggestion='London, Ontario, Canada']")
    ontario.wait_for()
    # Each suggestion says where it is: the parents after the name.
    assert "England, United Kingdom" in page.locator(".chapter-filter .suggestions").inner_text()
    shot(page, f"js-{size}-suggestions")
    with page.expect_response(lambda r: "/decisions/?" in r.url and "chapter_path" in r.url):
        ontario.click()
    page.locator("#decision-results .filtered-by").wait_for()
    text = results(page)
    assert "Ontario library" in text
    assert "Hackney trees" not in text and "Islington bins" not in text
    assert field.input_value() == "London, Ontario, Canada"
    assert "chapter_path=ca%2Fon%2Flondon" in page.url  # the address bar keeps the filter
    shot(page, f"js-{size}-picked")

    # A name typed and sent with Enter: this one is shared, so the log asks which.
    field.fill("London")
    with page.expect_response(lambda r: "/decisions/?chapter=London&" in r.url):
        field.press("Enter")
    page.locator("#chapter-choices-heading").wait_for()
    assert "Which “London”?" in results(page)
    assert "Ontario library" not in results(page)
    assert "Several chapters are called" in page.locator("#chapter-errors").inner_text()
    shot(page, f"js-{size}-which")
    page.get_by_role("link", name="London, England, United Kingdom").click()
    page.wait_for_load_state()
    assert field.input_value() == "London, England, United Kingdom"
    assert page.locator("#chapter-errors").inner_text().strip() == ""


@pytest.mark.parametrize("size", ["wide", "phone"])
def test_without_javascript_a_typed_name_filters_or_asks_which(reader, log, size):
    page = reader(size, javascript=False)
    page.goto("/decisions/")
    page.fill("#id_chapter", "London")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.locator("#chapter-choices-heading").inner_text() == "Which “London”?"
    for title in ("Hackney trees", "Islington bins", "Ontario library"):
        assert title not in results(page)
    shot(page, f"nojs-{size}-which")
    page.get_by_role("link", name="London, England, United Kingdom").click()
    page.wait_for_load_state()
    assert page.input_value("#id_chapter") == "London, England, United Kingdom"
    page.check("#id_subchapters")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    text = results(page)
    assert "Hackney trees" in text and "Islington bins" in text
    assert "Ontario library" not in text
    shot(page, f"nojs-{size}-london-and-below")

    page.fill("#id_chapter", "Hackney")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "Hackney trees" in results(page) and "Islington bins" not in results(page)

    page.fill("#id_chapter", "Londn")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "No chapter is named “Londn”." in results(page)
    assert "Hackney trees" not in results(page)
    shot(page, f"nojs-{size}-unknown")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_spanish_reader_filters_by_the_spanish_name(reader, log, javascript):
    page = reader("phone", javascript=javascript, language="es")
    page.goto("/decisions/")
    field = page.locator("#id_chapter")
    if javascript:
        field.press_sequentially("Londres", delay=30)
        choice = page.locator(
            ".chapter-filter [data-suggestion='Londres, England, United Kingdom']")
        choice.wait_for()
        with page.expect_response(lambda r: "subchapters=on" in r.url):
            page.check("#id_subchapters")
        with page.expect_response(lambda r: "chapter_path=gb%2Feng%2Flondon" in r.url):
            choice.click()
        page.locator("#decision-results .filtered-by").wait_for()
    else:
        field.fill("londres")
        page.check("#id_subchapters")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_load_state()
        assert field.input_value() == "Londres, England, United Kingdom"
    text = results(page)
    assert "Hackney trees" in text and "Islington bins" in text
    assert "Ontario library" not in text
    shot(page, f"es-{'js' if javascript else 'nojs'}-londres")
