"""The journey of issue #2 in a real Chromium, as a person would make it.

Sign up (country, region by htmx, a city suggestion, a neighbourhood), verify the
email address, land on the home chapter; jump between chapters with the breadcrumb
dropdowns; open the map and follow a marker; edit the profile and move city; a
hostile bio runs nothing; switch the interface to Spanish. Every test ends with
no console errors (CSP violations included).
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.models import Member, Visibility
from chapterhouse.members.services import update_profile
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.models import Place
from chapterhouse.places.tests.factories import make_city
from chapterhouse.tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SCOTLAND = ("GB-SCT", "Scotland")
ILE_DE_FRANCE = ("FR-IDF", "Île-de-France")
FRANCE = ("FR", "France")
NEW_PASSWORD = "a long and unusual passphrase 42"


def _locate(city: Place, coordinates: list[tuple[float, float]]) -> Place:
    """Give the city, its region and its country coordinates (for the map)."""
    assert city.parent is not None and city.parent.parent is not None
    for place, (lat, lon) in zip(
        [city, city.parent, city.parent.parent], coordinates, strict=True
    ):
        Place.objects.filter(pk=place.pk).update(latitude=lat, longitude=lon)
    return city


@pytest.fixture
def world(db) -> dict[str, Member]:
    """A small gazetteer with coordinates and a member in each of three cities.

    London (England) and Edinburgh (Scotland) make England's breadcrumb dropdown
    list a sibling region; Paris gives a second country on the map and somewhere
    to move to. Manchester is in the gazetteer for the city search to skip over.
    """
    _locate(make_city("London"), [(51.5, -0.12), (52.5, -1.5), (54.0, -2.0)])
    make_city("Londonderry", region=("GB-NIR", "Northern Ireland"))
    make_city("Manchester")
    _locate(make_city("Edinburgh", region=SCOTLAND), [(55.95, -3.19), (56.8, -4.2), (54.0, -2.0)])
    paris = make_city("Paris", region=ILE_DE_FRANCE, country=FRANCE)
    _locate(paris, [(48.85, 2.35), (48.7, 2.5), (46.6, 2.4)])
    return {
        "ada": make_member("Ada Lovelace", city="London", email="ada@example.org"),
        "ian": make_member("Ian Rankin", city="Edinburgh", region=SCOTLAND),
        "pia": make_member("Pia Paris", city="Paris", region=ILE_DE_FRANCE, country=FRANCE),
    }


def count_of(url_path: str) -> int:
    return Chapter.objects.get(url_path=url_path).member_count


def test_a_newcomer_signs_up_verifies_and_lands_on_their_neighbourhood(page, world):
    page.goto("/accounts/signup/")
    page.fill("#id_display_name", "Nia Newcomer")
    page.fill("#id_email", "nia@example.org")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)

    # Choosing a country reloads its regions (htmx).
    region = page.locator("#id_region")
    assert region.locator("option").count() == 1
    with page.expect_response("**/places/regions/**"):
        page.select_option("#id_country", "GB")
    page.wait_for_function("document.querySelectorAll('#id_region option').length > 1")
    assert region.locator("option").all_inner_texts()[1:] == [
        "England", "Northern Ireland", "Scotland",
    ]
    page.select_option("#id_region", "GB-ENG")

    # Typing part of the name suggests cities of that region; click one.
    page.locator("#id_city").press_sequentially("Lond", delay=20)
    suggestion = page.locator("#id_city-suggestions [data-city-name]")
    suggestion.first.wait_for()
    assert suggestion.all_inner_texts() == ["London"]  # not Londonderry: another region
    page.screenshot(path=str(_artifact("signup-suggestions")))
    suggestion.first.click()
    assert page.input_value("#id_city") == "London"
    london = Place.objects.get(name="London")
    assert page.input_value("#id_city_code") == london.code
    assert suggestion.count() == 0

    page.fill("#id_neighbourhood", "Hackney")
    page.screenshot(path=str(_artifact("signup-filled")), full_page=True)
    page.locator("main").get_by_role("button", name="Join").click()

    # "Verify your email address"; the link arrives by mail (locmem, same process).
    page.wait_for_url("**/accounts/confirm-email/")
    assert "verify" in page.locator("main").inner_text().lower()
    nia = Member.objects.get(user__email="nia@example.org")
    assert not EmailAddress.objects.get(user=nia.user).verified
    links = [
        link
        for message in mail.outbox
        if message.to == ["nia@example.org"]
        for link in re.findall(r"https?://\S+/accounts/confirm-email/\S+/", str(message.body))
    ]
    assert len(links) == 1, [message.subject for message in mail.outbox]
    link = links[0]
    path = "/accounts/" + link.split("/accounts/", 1)[1]
    page.goto(path)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.wait_for_url("**/accounts/login/")  # confirmed; now log in
    assert "confirmed" in page.locator(".messages").inner_text()
    log_in(page, "nia@example.org", NEW_PASSWORD)

    # Home: the Hackney neighbourhood chapter of London, one member (Nia).
    page.wait_for_url("**/c/gb/eng/london/hackney/")
    assert page.locator("h1").inner_text() == "Hackney"
    assert page.locator(".chapter-header .count").inner_text() == "1 member"
    assert page.locator(".chapter-header .badge").inner_text() == "You belong here"
    crumbs = page.locator(".breadcrumb > ol > li > a")
    assert crumbs.all_inner_texts() == [
        "International", "United Kingdom", "England", "London", "Hackney",
    ]
    assert crumbs.last.get_attribute("aria-current") == "page"
    assert count_of("gb/eng/london") == 2  # Ada and Nia
    assert count_of("gb") == 3
    assert page.csp_errors == []


def test_the_breadcrumb_dropdown_of_a_region_lists_its_siblings_and_jumps(page, world):
    log_in(page, "ada@example.org")
    page.wait_for_url("**/c/gb/eng/london/")
    crumb = page.locator(".breadcrumb > ol > li").filter(
        has=page.get_by_role("link", name="England", exact=True)
    )
    dropdown = crumb.locator("details")
    assert not dropdown.locator("ul.siblings").is_visible()
    toggle = dropdown.locator("summary")
    box = toggle.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24  # a target one can hit
    toggle.click()
    siblings = dropdown.locator("ul.siblings a")
    siblings.first.wait_for()
    assert siblings.all_inner_texts() == ["England", "Scotland"]
    assert dropdown.get_by_role("link", name="England").get_attribute("aria-current") == "true"
    page.evaluate("window.scrollTo(0, 0)")  # Playwright scrolled the toggle into view
    page.screenshot(path=str(_artifact("breadcrumb-open")))
    dropdown.get_by_role("link", name="Scotland").click()
    page.wait_for_url("**/c/gb/sct/")
    assert page.locator("h1").inner_text() == "Scotland"
    assert page.locator(".chapter-header .count").inner_text() == "1 member"
    assert page.locator(".breadcrumb > ol > li > a").all_inner_texts() == [
        "International", "United Kingdom", "Scotland",
    ]
    # "My chapters" is one click away from anywhere.
    page.get_by_role("link", name="My chapters").first.click()
    page.wait_for_url("**/c/mine/")
    assert page.get_by_role("link", name="London").count() >= 1
    assert page.csp_errors == []


def test_the_map_shows_markers_and_a_popup_leads_to_that_chapter(page, world, settings):
    settings.MAP_TILE_URL = ""  # no tile server: the markers still show
    page.goto("/map/")
    # International has no coordinates; 2 countries, 3 regions, 3 cities have.
    page.wait_for_selector("#map[data-loaded='8']")
    page.screenshot(path=str(_artifact("map")), full_page=True)
    markers = page.locator("#map path.leaflet-interactive")
    for _attempt in range(10):  # zoomed out, nearby chapters are clustered
        if markers.count():
            break
        page.locator("#map .marker-cluster").first.click()
        page.wait_for_timeout(400)
    assert markers.count() >= 1
    markers.first.click(force=True)
    popup = page.locator(".leaflet-popup .chapter-popup")
    popup.wait_for()
    name = popup.locator("strong").inner_text()
    assert re.search(r"\d+ members?$", popup.locator("div").inner_text())
    link = popup.locator("a.chapter-link")
    href = link.get_attribute("href")
    assert href and href.startswith("/c/")
    link.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("h1").inner_text() == name
    assert page.csp_errors == []


def test_a_member_edits_their_profile_and_moves_to_another_city(page, world):
    ada = world["ada"]
    log_in(page, "ada@example.org")
    page.wait_for_url("**/c/gb/eng/london/")

    # The header link leads to the profile, and from there to the edit form.
    page.locator(".site-nav").get_by_role("link", name="Ada Lovelace").click()
    page.wait_for_url(f"**/m/{ada.public_id}/")
    page.get_by_role("link", name="Edit profile").click()
    page.wait_for_url("**/me/edit/")
    page.fill("#id_display_name", "Ada King")
    page.fill("#id_bio", "I write **analytical** notes.\n\n- engines\n- [poems](https://example.org/poems)")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/m/{ada.public_id}/")
    assert page.locator("h1").inner_text() == "Ada King"
    bio = page.locator("section.bio")
    assert bio.locator("strong").inner_text() == "analytical"
    assert bio.locator("li").all_inner_texts() == ["engines", "poems"]
    assert bio.get_by_role("link", name="poems").get_attribute("href") == (
        "https://example.org/poems"
    )
    assert page.locator(".site-nav").get_by_role("link", name="Ada King").count() == 1
    page.screenshot(path=str(_artifact("profile")), full_page=True)

    # Move to Paris: the form starts at the current place; country, region, city.
    page.goto("/me/location/")
    assert page.input_value("#id_country") == "GB"
    assert page.input_value("#id_city") == "London"
    with page.expect_response("**/places/regions/**"):
        page.select_option("#id_country", "FR")
    page.wait_for_function("document.querySelector('#id_region option[value=\"FR-IDF\"]')")
    assert page.input_value("#id_city") == ""  # a new country clears the city
    page.select_option("#id_region", "FR-IDF")
    page.locator("#id_city").press_sequentially("par", delay=20)
    page.locator("#id_city-suggestions [data-city-name='Paris']").click()
    page.get_by_role("button", name="Move").click()

    page.wait_for_url("**/c/fr/idf/paris/")
    assert page.locator("h1").inner_text() == "Paris"
    assert page.locator(".chapter-header .count").inner_text() == "2 members"
    assert "You now belong to Paris" in page.locator(".messages").inner_text()
    assert count_of("gb/eng/london") == 0
    assert count_of("gb") == 1  # Ian, in Edinburgh
    assert count_of("fr") == 2
    page.goto("/c/gb/eng/london/")
    assert page.locator(".chapter-header .count").inner_text() == "0 members"
    page.goto("/c/gb/")
    assert page.locator(".chapter-header .count").inner_text() == "1 member"
    assert page.csp_errors == []


def test_a_hostile_bio_runs_nothing_in_the_visitors_browser(page, world):
    mallory = make_member("Mallory", city="Paris", region=ILE_DE_FRANCE, country=FRANCE)
    update_profile(
        member=mallory,
        profile_visibility=Visibility.PUBLIC,
        bio=(
            "Hello <script>alert(1)</script>\n\n"
            "<img src=x onerror=alert(2)>\n\n"
            "[x](javascript:alert(3))"
        ),
    )
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)

    response = page.goto(f"/m/{mallory.public_id}/")
    assert response is not None and response.ok
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    bio = page.locator("section.bio")
    assert "Hello" in bio.inner_text()
    assert bio.locator("script, img, [onerror]").count() == 0
    link = bio.locator("a")
    assert link.inner_text() == "x"
    assert link.get_attribute("href") is None  # the javascript: URL is dropped
    link.click()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.csp_errors == []


def test_the_language_switcher_turns_the_interface_to_spanish(page, world):
    page.goto("/c/gb/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("#language-select", "es")  # submits itself (site.js)
    page.wait_for_selector("html[lang=es]")
    assert page.url.endswith("/c/gb/")
    assert page.input_value("#language-select") == "es"
    assert page.locator("#language-select option:checked").inner_text().lower() == "español"
    page.goto("/c/")  # and it stays Spanish
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.csp_errors == []


def _artifact(name: str):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
