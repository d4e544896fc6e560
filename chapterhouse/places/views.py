"""htmx endpoints behind the country › region › city fields of the location form.

Public (the signup form uses them) and read-only. They return fragments: the
`<option>`s of the region select, and the city suggestions (the one autocomplete,
chapterhouse.lib.autocomplete).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chapterhouse.lib.autocomplete import Suggestion, render_suggestions
from chapterhouse.lib.collation import sorted_by_name

from . import selectors
from .models import Place, PlaceKind

MAX_SUGGESTIONS = 10
MAX_QUERY_LENGTH = 100


def _param(request: HttpRequest, name: str) -> str:
    """`name` from the query string, also when the form sent it with a prefix
    ("signup-country")."""
    keys = [name, *(key for key in request.GET if key.endswith(f"-{name}"))]
    for key in keys:
        if key in request.GET:
            return str(request.GET.get(key, ""))
    return ""


@require_safe
def region_options(request: HttpRequest) -> HttpResponse:
    country = selectors.place_by_code(PlaceKind.COUNTRY, _param(request, "country"))
    regions: list[Place] = []
    if country is not None:
        regions = sorted_by_name(selectors.regions_of(country), Place.display_name)
    return render(request, "places/_region_options.html", {"country": country, "regions": regions})


def _region_of(city: Place) -> str:
    """In a country searched as a whole, the region tells same-named cities apart."""
    parent = city.parent
    return parent.local_name() if parent is not None and parent.kind == PlaceKind.REGION else ""


def _region_code(city: Place) -> str:
    """The code of the city's region (what the region list's option values are)."""
    parent = city.parent
    return parent.code if parent is not None and parent.kind == PlaceKind.REGION else ""


@require_safe
def city_suggestions(request: HttpRequest) -> HttpResponse:
    query = _param(request, "city")[:MAX_QUERY_LENGTH]
    area = selectors.place_by_code(PlaceKind.REGION, _param(request, "region")) or (
        selectors.place_by_code(PlaceKind.COUNTRY, _param(request, "country"))
    )
    cities: list[Place] = []
    if area is not None and query.strip():
        cities = selectors.search_cities(region=area, query=query, limit=MAX_SUGGESTIONS)
    whole_country = area is not None and area.kind == PlaceKind.COUNTRY
    suggestions = [
        Suggestion(
            value=city.local_name(),
            label=city.local_name(),
            detail=_region_of(city) if whole_country else "",
            code=city.code,
            data={"city-code": city.code, "city-name": city.local_name(),
                  **({"region-code": _region_code(city)} if whole_country else {})},
        )
        for city in cities
    ]
    empty = ""
    if area is not None and query.strip():
        empty = _("No place called “%(name)s” in %(area)s.") % {
            "name": query, "area": area.local_name()
        }
    return render_suggestions(request, suggestions, empty=empty)
