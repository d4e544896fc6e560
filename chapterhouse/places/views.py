"""htmx endpoints behind the country › region › city fields of the location form.

Public (the signup form uses them) and read-only. They return fragments: the
`<option>`s of the region select, and the list of city suggestions.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

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
        regions = sorted(
            selectors.regions_of(country), key=lambda region: region.local_name().casefold()
        )
    return render(request, "places/_region_options.html", {"country": country, "regions": regions})


@require_safe
def city_suggestions(request: HttpRequest) -> HttpResponse:
    query = _param(request, "city")[:MAX_QUERY_LENGTH]
    area = selectors.place_by_code(PlaceKind.REGION, _param(request, "region")) or (
        selectors.place_by_code(PlaceKind.COUNTRY, _param(request, "country"))
    )
    cities: list[Place] = []
    if area is not None and query.strip():
        cities = selectors.search_cities(region=area, query=query, limit=MAX_SUGGESTIONS)
    return render(
        request, "places/_city_suggestions.html", {"area": area, "cities": cities, "query": query}
    )
