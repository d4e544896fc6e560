"""Signing up without retyping anything (issue #15 items 11 and 12), in a real
Chromium at phone width: with JavaScript off, "Show its regions" lists them and the
form then joins; with JavaScript on, a city chosen from the whole country's
suggestions fills its region."""

from __future__ import annotations

import pytest

from chapterhouse.members.models import Member

from .test_foundation_journey import NEW_PASSWORD, _artifact, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def open_page(*, javascript: bool):
        context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                      java_script_enabled=javascript,
                                      viewport={"width": 360, "height": 780})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def fill_you(page, email: str) -> None:
    page.fill("#id_display_name", "Nia Newcomer")
    page.fill("#id_email", email)
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)


def test_without_javascript_the_form_lists_the_regions_then_joins(phone, world):  # noqa: F811
    page = phone(javascript=False)
    page.goto("/accounts/signup/")
    fill_you(page, "nia@example.org")
    page.select_option("#id_country", "GB")
    page.get_by_role("button", name="Show its regions").click()
    page.wait_for_load_state()
    # Before: the browser refused the submit (the city was required) and nothing happened.
    assert page.locator("#id_region option").all_inner_texts()[1:] == [
        "England", "Northern Ireland", "Scotland"]
    assert "Now choose your region and your city or town." in page.locator("main").inner_text()
    assert page.input_value("#id_password1") == NEW_PASSWORD  # nothing to retype
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(_artifact("signup-nojs-regions")), full_page=True)
    page.select_option("#id_region", "GB-ENG")
    page.fill("#id_city", "London")
    page.locator("main").get_by_role("button", name="Join").click()
    page.wait_for_url("**/accounts/confirm-email/")
    city = Member.objects.get(user__email="nia@example.org").city
    assert city is not None and city.name == "London"


def test_a_city_from_the_whole_country_fills_its_region(phone, world):  # noqa: F811
    page = phone(javascript=True)
    page.goto("/accounts/signup/")
    fill_you(page, "noor@example.org")
    with page.expect_response("**/places/regions/**"):
        page.select_option("#id_country", "GB")
    page.wait_for_function("document.querySelectorAll('#id_region option').length > 1")
    page.locator("#id_city").press_sequentially("Edin", delay=20)
    suggestion = page.locator("#id_city-suggestions [data-city-name]")
    suggestion.first.wait_for()
    suggestion.first.click()
    assert page.input_value("#id_region") == "GB-SCT"
    page.screenshot(path=str(_artifact("signup-country-suggestion")), full_page=True)
    page.locator("main").get_by_role("button", name="Join").click()
    page.wait_for_url("**/accounts/confirm-email/")
    region = Member.objects.get(user__email="noor@example.org").region
    assert region is not None and region.name == "Scotland"
