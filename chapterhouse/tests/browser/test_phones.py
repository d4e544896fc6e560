"""Phones (issue #15, item 7): every page of the journeys at 360 px, in English and in
Arabic (right to left), with and without JavaScript.

On each page nothing scrolls sideways (the document is no wider than the screen),
every table sits in a scroll box of its own, and a screenshot is saved in
test-artifacts/phones/ to look at. The compact header's menu opens and closes
without JavaScript (a disclosure) and with it (Escape closes it and gives the
focus back to the button, aria-expanded follows); the breadcrumb's dropdowns stay
on the screen in both directions.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 360
HEIGHT = 740
SHOTS = ARTIFACTS / "phones"

# What a member would see scroll sideways: the document wider than the screen, anything
# sticking out of it (even where an ancestor clips it), or a table outside a scroll box of
# its own (wide with real data, even if not with ours).
MEASURE = """() => {
const ASIDE = '.table-scroll, .visually-hidden, .skip-link, .leaflet-container';
return {
  scrollWidth: document.documentElement.scrollWidth,
  loose: [...document.querySelectorAll('main table')]
    .filter(t => !t.closest('.table-scroll')).map(t => t.className),
  wide: [...document.querySelectorAll('body *')]
    .filter(e => { const r = e.getBoundingClientRect();
                   const folded = e.closest('details:not([open])') && !e.closest('summary');
                   return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5) && !folded
                          && !e.closest(ASIDE); })
    .slice(0, 5).map(e => e.tagName + '.' + e.className),
}; }"""


@pytest.fixture
def phone(screen) -> Callable:
    """A factory of phone-sized pages: phone(language, javascript)."""
    return lambda language, javascript: screen(language, javascript, WIDTH, HEIGHT)


def check(page, name: str) -> dict:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return page.evaluate(MEASURE)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_journey_page_scrolls_sideways_at_360_px(phone, journeys, language, javascript):
    tag = f"{language}-{'js' if javascript else 'nojs'}"
    failures = {}
    visitor = phone(language, javascript)
    for name, url in journeys.visitor_pages:
        visitor.goto(url)
        found = check(visitor, f"{tag}-{name}")
        assert visitor.locator("html").get_attribute("lang") == language
        if found["scrollWidth"] > WIDTH or found["loose"] or found["wide"]:
            failures[name] = found
    page = phone(language, javascript)
    log_in(page, journeys.email)
    for name, url in journeys.member_pages:
        page.goto(url)
        found = check(page, f"{tag}-{name}")
        if found["scrollWidth"] > WIDTH or found["loose"] or found["wide"]:
            failures[name] = found
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())
    if javascript:  # the record's pairwise table scrolls, and the keyboard can reach it
        page.goto(dict(journeys.member_pages)["decision-record"])
        box = page.locator(".table-scroll:has(table.pairwise)")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
        assert box.get_attribute("tabindex") == "0"


def on_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_compact_header_opens_its_menu_with_or_without_javascript(
    phone, people, language, javascript
):
    tag = f"{language}-{'js' if javascript else 'nojs'}"
    page = phone(language, javascript)
    log_in(page, people[0].user.email)
    page.goto("/decisions/")
    button = page.locator(".site-nav summary")
    links = page.locator(".site-nav .site-menu-panel a")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 64  # one line, not five
    assert button.is_visible() and not links.first.is_visible()
    if javascript:
        assert button.get_attribute("aria-expanded") == "false"

    button.click()
    check(page, f"{tag}-menu-open")
    assert links.count() >= 6
    for index in range(links.count()):
        assert links.nth(index).is_visible() and on_screen(page, links.nth(index))
    assert page.locator("#language-select").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    if not javascript:
        button.click()
        assert not links.first.is_visible()
        return

    assert button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.site-menu-panel') !== null")
    page.keyboard.press("Escape")
    assert not links.first.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.matches('.site-nav summary')")
    button.click()
    page.locator(".site-footer p").first.click()  # a click elsewhere closes it too
    assert not links.first.is_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_full_header_shows_its_links_on_a_wide_screen(
    browser, live_server, people, javascript
):
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  java_script_enabled=javascript,
                                  viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        log_in(page, people[0].user.email)
        page.goto("/decisions/")
        assert not page.locator(".site-nav summary").is_visible()
        nav = page.locator(".site-nav")
        for name in ("Chapters", "Map", "Decisions", "My chapters"):
            assert nav.get_by_role("link", name=name, exact=True).is_visible()
        assert page.locator("#language-select").is_visible()
        assert page.locator(".site-header").bounding_box()["height"] < 80
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"wide-{'js' if javascript else 'nojs'}-header.png"))
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_breadcrumb_dropdown_stays_on_the_screen(phone, people, language, javascript):
    tag = f"{language}-{'js' if javascript else 'nojs'}"
    page = phone(language, javascript)
    page.goto("/c/gb/eng/london/hackney/")
    toggles = page.locator(".breadcrumb summary")
    assert toggles.count() >= 3  # England, London and Hackney have chapters beside them
    for index in range(toggles.count()):
        toggles.nth(index).click()
        menu = page.locator(".breadcrumb details[open] > .siblings")
        assert menu.count() == 1 and menu.is_visible()
        assert on_screen(page, menu), menu.bounding_box()
        for link in menu.locator("a").all():
            assert on_screen(page, link)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        check(page, f"{tag}-breadcrumb-{index}")
        toggles.nth(index).click()  # closed again
        assert page.locator(".breadcrumb details[open]").count() == 0
