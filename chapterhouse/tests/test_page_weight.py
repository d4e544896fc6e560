"""Page weight (issue #15, item 15): every journey page's first load stays under 100 KB
compressed (the map under 150 KB), htmx is loaded only by pages that use it, and in
production static files are served compressed with far-future caching.

The first load is the page's HTML and every stylesheet and script it references, each
gzip-compressed as WhiteNoise serves them in production (the browser caches them after).
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from chapterhouse.tests.journeys import build_journeys

KB = 1024
BUDGET = 100 * KB
BUDGETS = {"map": 150 * KB}  # Leaflet and its marker clusters
HTMX = "vendor/htmx/htmx.min.js"
# An htmx attribute in markup: hx-get="…", hx-swap-oob="true", hx-post=… (not "hx-" in text).
HX_ATTRIBUTE = re.compile(r"""\shx-[a-z]+(?:-[a-z]+)*\s*=""")


class Assets(HTMLParser):
    """The stylesheets and scripts a page references."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"] or "")
        elif tag == "link" and values.get("rel") == "stylesheet" and values.get("href"):
            self.urls.append(values["href"] or "")


def assets_of(html: str) -> list[str]:
    parser = Assets()
    parser.feed(html)
    return parser.urls


def static_bytes(url: str) -> bytes:
    assert url.startswith(settings.STATIC_URL), url
    found = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    assert found, f"{url} is not a static file"
    return Path(str(found)).read_bytes()


def gzipped(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=9))


def first_load(client: Client, url: str) -> tuple[str, dict[str, int]]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    sizes = {"html": gzipped(response.content)}
    for asset in assets_of(html):
        sizes[asset] = gzipped(static_bytes(asset))
    return html, sizes


@pytest.fixture
def journey_pages(db):
    journeys = build_journeys()
    member = Client()
    member.force_login(journeys.member.user)
    return [(name, url, member) for name, url in journeys.member_pages] + [
        (name, url, Client()) for name, url in journeys.visitor_pages
    ]


@pytest.mark.django_db
def test_every_journey_page_loads_under_its_budget_compressed(journey_pages):
    over = {}
    report = []
    for name, url, client in journey_pages:
        _html, sizes = first_load(client, url)
        total = sum(sizes.values())
        report.append(f"{name}: {total / KB:.1f} KB")
        if total > BUDGETS.get(name, BUDGET):
            over[name] = sizes
    print("First loads, gzip:", ", ".join(report))
    assert over == {}


@pytest.mark.django_db
def test_a_journey_page_loads_htmx_exactly_when_it_uses_hx_attributes(journey_pages):
    wrong = {}
    for name, url, client in journey_pages:
        html = client.get(url).content.decode()
        uses = bool(HX_ATTRIBUTE.search(html))
        loads = any(asset.endswith(HTMX) for asset in assets_of(html))
        if uses != loads:
            wrong[name] = f"uses hx-: {uses}, loads htmx: {loads}"
    assert wrong == {}
    assert any("htmx" not in "".join(assets_of(client.get(url).content.decode()))
               for _name, url, client in journey_pages)


# Every template, read as text: which pages (templates that extend base.html) use hx-*
# attributes in their own markup or in what they include or extend, and which fill the
# htmx block. A page whose hx-* attributes come only from a form's widgets is seen by the
# rendered check above (the journeys) and by the pages listed in FORM_PAGES.
TEMPLATE_ROOTS = [Path(settings.BASE_DIR) / "templates",
                  *sorted(Path(settings.BASE_DIR).glob("*/templates"))]
TAG = re.compile(r"""{%\s*(extends|include)\s+["']([^"']+)["']""")
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
LOADS_HTMX = re.compile(r"""{%\s*block\s+htmx\s*%}\s*{%\s*include\s+["']_htmx\.html["']""")
# Pages whose hx-* attributes come from form widgets (members.forms.LocationForm, the
# mention autocomplete of discussions.forms, the map's place search) rather than from
# template markup.
FORM_PAGES = {
    "account/signup.html", "members/location.html", "discussions/forum.html",
    "discussions/thread.html", "discussions/reply.html", "discussions/edit.html",
    "decisions/detail.html", "chapters/map.html", "conversations/new.html",
}


def templates() -> dict[str, str]:
    found: dict[str, str] = {}
    for root in TEMPLATE_ROOTS:
        for path in sorted(root.rglob("*.html")):
            found.setdefault(path.relative_to(root).as_posix(),
                             COMMENT.sub("", path.read_text(encoding="utf-8")))
    return found


def closure(name: str, sources: dict[str, str], seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    if name in seen or name not in sources:
        return seen
    seen.add(name)
    for _kind, other in TAG.findall(sources[name]):
        closure(other, sources, seen)
    return seen


def test_every_page_template_using_hx_attributes_loads_htmx_and_no_other_does():
    sources = templates()
    pages = [name for name in sources if "base.html" in closure(name, sources) - {name}
             and name != "base.html"]
    assert len(pages) > 40
    wrong = []
    for page in pages:
        parts = closure(page, sources)
        uses = page in FORM_PAGES or any(HX_ATTRIBUTE.search(sources[part]) for part in parts)
        loads = any(LOADS_HTMX.search(sources[part]) for part in parts)
        if uses != loads:
            wrong.append(f"{page}: uses hx-: {uses}, loads htmx: {loads}")
    assert wrong == []
    assert not LOADS_HTMX.search(sources["base.html"])
