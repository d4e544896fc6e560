"""Search over the REST API (v1): the page's query, filters and permission rule.

    GET /api/v1/search/?q=&kind=&chapter=&since=&until=&page=

Results are what the viewer may find (the audience is filtered in the query), best
first, with their kind, title and snippet as HTML (escaped text, the query's words in
<mark>). A bad query or filter is a 400 naming the parameter; an empty `q` is a 400 too.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chapterhouse.lib.interface import viewer_of

from . import presenters, selectors
from .forms import SearchForm, kind_choices

TAGS = ["search"]


class SearchResultSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title_html = serializers.CharField(source="title")
    snippet_html = serializers.CharField(source="snippet")
    web_url = serializers.CharField(source="url")
    date = serializers.DateTimeField()


class SearchPagination(PageNumberPagination):
    page_size = 20

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["facets"] = getattr(self, "facets", {})
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        found = super().get_paginated_response_schema(schema)
        found["properties"]["facets"] = {
            "type": "object", "additionalProperties": {"type": "integer"},
            "description": "How many results of each kind (the kind filter aside).",
        }
        return found


@extend_schema(tags=TAGS)
class SearchView(APIView):
    """What the viewer may find, best first: the 1,000 newest matches, ranked (narrow
    the search to reach older ones). `facets` counts the matches by kind among the 1,001
    newest: a total of 1,001 means there are more."""

    permission_classes = [AllowAny]
    pagination_class = SearchPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True,
                             description=f"At most {selectors.MAX_QUERY_LENGTH} characters; "
                                         "words, or phrases in double quotes."),
            OpenApiParameter("kind", str, enum=[kind for kind, _label in kind_choices()
                                                if kind]),
            OpenApiParameter("chapter", str,
                             description="A chapter's url_path (`international` for the "
                                         "root): it and the chapters below it."),
            OpenApiParameter("since", str, description="A date, YYYY-MM-DD."),
            OpenApiParameter("until", str, description="A date, YYYY-MM-DD."),
            OpenApiParameter("page", int),
        ],
        responses={200: SearchResultSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        form = SearchForm({key: params.get(key, "") for key in
                           ("q", "kind", "chapter", "since", "until")})
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors]
                                   for name, errors in form.errors.items()})
        if form.query is None:
            raise ValidationError({"q": [_("Type at least one word to search for.")]})
        viewer = viewer_of(request)
        language = (translation.get_language() or "en").split("-")[0]
        found = selectors.find(viewer, form.query, form.filters, language=language)
        paginator = SearchPagination()
        # Counted by find (no COUNT query).
        paginator.django_paginator_class = (
            lambda entries, per_page: found.paginator(per_page))  # type: ignore[assignment]
        page = paginator.paginate_queryset(found.entries, request, view=self)
        paginator.facets = found.counts  # type: ignore[attr-defined]
        results = presenters.results(page or [], form.query)
        return paginator.get_paginated_response(SearchResultSerializer(results, many=True).data)


urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
]
