"""The search page: /search/?q=&kind=&chapter=&since=&until=&page= (no JavaScript
needed). An empty query shows the form; a bad one, the form with its error (400)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from chapterhouse.lib.interface import viewer_of

from . import presenters, selectors
from .forms import SearchForm

RESULTS_PER_PAGE = 20


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form}
    if not request.GET:
        return render(request, "search/index.html", context)
    if not form.is_valid():
        return render(request, "search/index.html", context, status=400)
    if form.query is None:
        return render(request, "search/index.html", context)
    viewer = viewer_of(request)
    language = (translation.get_language() or "en").split("-")[0]
    found = selectors.find(viewer, form.query, form.filters, language=language)
    page_obj = found.paginator(RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        searched=True,  # a page with no result is falsy: say "nothing found" all the same
        page_obj=page_obj,
        results=presenters.results(page_obj, form.query),
        facets=presenters.facets(found.counts, form.filters.kind),
        found=found,
        query_string=request.GET.copy(),
    )
    return render(request, "search/index.html", context)
