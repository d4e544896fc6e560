"""Accessibility (issue #15, item 15): axe-core on every page of the journeys.

Every page of chapterhouse/tests/journeys.py (the same pages the phone test walks),
signed in or signed out as the list says, in English and in Arabic (right to left),
at 1280 px and at 360 px, must show no violation of the WCAG 2.0, 2.1 and 2.2 A and
AA rules axe-core checks. axe-core comes bundled in the axe-playwright-python
package: nothing is downloaded when the test runs.

axe needs JavaScript to run, so the pages are checked with it on; the same
templates serve the page without it.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.django_db(transaction=True)

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no rule tagged wcag22a).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
WIDTHS = {"desktop": (1280, 800), "phone": (360, 740)}
REPORTS = ARTIFACTS / "axe"
AXE = Axe()


def violations_on(page) -> list[dict]:
    return AXE.run(page, options=OPTIONS).response["violations"]


def rules_for_tags(page) -> set[str]:
    """The rules axe runs for TAGS on this page (a misspelt tag would run none)."""
    return set(page.evaluate("tags => axe.getRules(tags).map(r => r.ruleId)", TAGS))


def describe(violation: dict) -> str:
    nodes = "\n".join(f"      {' '.join(node['target'])}: {node['failureSummary']}"
                      .replace("\n", " ") for node in violation["nodes"])
    return f"    {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def stay_on_the_test_server(route) -> None:
    """No request leaves the test server (no map tiles): the page is checked as a
    member with no network beyond the site would see it, and quickly."""
    if urlsplit(route.request.url).hostname in ("localhost", "127.0.0.1"):
        route.continue_()
    else:
        route.abort()


def check_pages(screen, language: str, pages, email: str | None) -> dict[str, list[dict]]:
    """Each page at each width, in one browser tab per width (signed in once)."""
    found: dict[str, list[dict]] = {}
    checked: set[str] = set()
    for width_name, (width, height) in WIDTHS.items():
        page = screen(language, width=width, height=height)
        page.route("**/*", stay_on_the_test_server)
        if email:
            log_in(page, email)
        for name, url in pages:
            page.goto(url)  # returns once the page and its deferred scripts have run
            violations = violations_on(page)
            if not checked:  # the rules this test is about are among those that ran
                checked = rules_for_tags(page)
                assert {"target-size", "color-contrast", "link-in-text-block",
                        "scrollable-region-focusable"} <= checked
            if violations:
                found[f"{width_name} {name} ({url})"] = violations
    return found


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_journey_page_violates_wcag_a_or_aa(screen, journeys, language):
    found = check_pages(screen, language, journeys.visitor_pages, None)
    found |= check_pages(screen, language, journeys.member_pages, journeys.email)
    if found:
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / f"{language}.json").write_text(json.dumps(found, indent=1))
    assert found == {}, f"axe-core found violations ({language}):\n" + "\n".join(
        f"  {where}:\n" + "\n".join(describe(v) for v in violations)
        for where, violations in found.items()
    )
