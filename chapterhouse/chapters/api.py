"""The chapter tree over the REST API: list, detail with breadcrumb and children, GeoJSON.

Chapters are public, as on the web: anyone may read the tree and its counts.
The International chapter has the empty url_path; its API address uses the
reserved segment `international` (country slugs are two-letter codes, so it
cannot clash with one).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.reverse import reverse

from chapterhouse.lib.collation import localized_order
from chapterhouse.lib.markdown import render_markdown

from . import selectors
from .access import chapter_lookup, url_path_of
from .models import Chapter, ChapterLevel

# A region can hold thousands of cities: the detail shows the largest, the list
# filtered by ?parent= pages through all of them.
CHILDREN_IN_DETAIL = 100


def parent_url_path(chapter: Chapter) -> str | None:
    """The parent's url_path, derived without a query (None for International)."""
    if chapter.level == ChapterLevel.INTERNATIONAL:
        return None
    return chapter.url_path.rpartition("/")[0]


def api_lookup(url_path: str) -> str:
    """The chapter's segment in API URLs: its url_path, `international` for the root."""
    return chapter_lookup(url_path)


def get_chapter_by_api_lookup(lookup: str) -> Chapter:
    """The chapter addressed by an API path segment; 404 when there is none."""
    chapter = Chapter.objects.filter(url_path=url_path_of(lookup)).first()
    if chapter is None:
        raise Http404
    return chapter


# Serializer[Any]: the stubs type a plain Serializer's instance as one object, and
# this one also serializes lists (many=True).
class ChapterRefSerializer(serializers.Serializer[Any]):
    """Enough of a chapter to name and link it."""

    url_path = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()
    level = serializers.IntegerField(read_only=True)

    def get_name(self, chapter: Chapter) -> str:
        return chapter.display_name()


class ChapterSerializer(serializers.ModelSerializer[Chapter]):
    name = serializers.SerializerMethodField(help_text=_("The name in the active language."))
    names = serializers.DictField(
        child=serializers.CharField(), read_only=True,
        help_text=_("The name in other languages, by language code, where known."),
    )
    level_name = serializers.SerializerMethodField()
    # DRF takes declared fields off the class, so "parent" shadows nothing at run time.
    parent = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text=_("The parent's url_path; null for International.")
    )
    web_url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    # Not a SlugField in the schema: International's slug is empty.
    slug = serializers.CharField(read_only=True)

    class Meta:
        model = Chapter
        fields = [
            "url_path", "slug", "name", "names", "level", "level_name", "parent",
            "member_count", "latitude", "longitude", "web_url", "api_url",
        ]
        read_only_fields = fields

    def get_name(self, chapter: Chapter) -> str:
        return chapter.display_name()

    def get_level_name(self, chapter: Chapter) -> str:
        return str(ChapterLevel(chapter.level).label)

    def get_parent(self, chapter: Chapter) -> str | None:
        return parent_url_path(chapter)

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, chapter: Chapter) -> str:
        request = self.context.get("request")
        url = chapter.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, chapter: Chapter) -> str:
        return reverse(
            "chapter-detail",
            kwargs={"lookup": api_lookup(chapter.url_path)},
            request=self.context.get("request"),
        )


class ChapterDetailSerializer(ChapterSerializer):
    description_html = serializers.SerializerMethodField()
    breadcrumb = serializers.SerializerMethodField(
        help_text=_("International first, ending with this chapter.")
    )
    children_count = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField(
        help_text=_(
            "The largest sub-chapters (at most 100); the chapter list filtered by "
            "?parent= pages through all of them."
        )
    )

    class Meta(ChapterSerializer.Meta):
        fields = [
            *ChapterSerializer.Meta.fields, "description", "description_html",
            "breadcrumb", "children_count", "children",
        ]
        read_only_fields = fields

    def _children(self, chapter: Chapter) -> QuerySet[Chapter]:
        return Chapter.objects.children_of(chapter)

    def get_description_html(self, chapter: Chapter) -> str:
        return str(render_markdown(chapter.description))

    @extend_schema_field(ChapterRefSerializer(many=True))
    def get_breadcrumb(self, chapter: Chapter) -> Any:
        ancestors = Chapter.objects.containing(chapter).order_by("depth")
        return ChapterRefSerializer(ancestors, many=True, context=self.context).data

    def get_children_count(self, chapter: Chapter) -> int:
        return chapter.numchild

    @extend_schema_field(ChapterSerializer(many=True))
    def get_children(self, chapter: Chapter) -> Any:
        if not chapter.numchild:
            return []
        children = self._children(chapter).order_by("-member_count", localized_order(), "path")
        return ChapterSerializer(
            children[:CHILDREN_IN_DETAIL], many=True, context=self.context
        ).data


@extend_schema(
    tags=["chapters"],
    parameters=[
        OpenApiParameter(
            "level", int, enum=[choice.value for choice in ChapterLevel],
            description=_("0 International, 1 country, 2 region, 3 city, 4 neighbourhood."),
        ),
        OpenApiParameter(
            "parent", str,
            description=_("Only the sub-chapters of the chapter with this url_path "
                          "(`international` for the countries)."),
        ),
    ]
)
class ChapterList(generics.ListAPIView[Chapter]):
    """Chapters, in tree order; filtered by level or parent, by name."""

    serializer_class = ChapterSerializer

    def get_queryset(self) -> QuerySet[Chapter]:
        chapters = Chapter.objects.all()
        ordering: tuple[Any, ...] = ("path",)
        level = self.request.query_params.get("level")
        if level is not None:
            if level not in {str(choice.value) for choice in ChapterLevel}:
                raise ValidationError({"level": [_("Choose a level from 0 to 4.")]})
            chapters = chapters.filter(level=int(level))
            ordering = (localized_order(), "path")
        parent_lookup = self.request.query_params.get("parent")
        if parent_lookup is not None:
            try:
                parent = get_chapter_by_api_lookup(parent_lookup)
            except Http404:
                raise ValidationError({"parent": [_("There is no such chapter.")]}) from None
            chapters = chapters.children_of(parent)
            ordering = (localized_order(), "path")
        return chapters.order_by(*ordering)


@extend_schema(
    tags=["chapters"],
    parameters=[
        OpenApiParameter(
            "lookup", str, OpenApiParameter.PATH,
            description=_("The chapter's url_path, e.g. `gb/eng/london`, or `international`."),
        ),
    ],
)
class ChapterDetail(generics.RetrieveAPIView[Chapter]):
    """One chapter with its description, breadcrumb and largest sub-chapters."""

    serializer_class = ChapterDetailSerializer
    lookup_url_kwarg = "lookup"
    queryset = Chapter.objects.all()

    def get_object(self) -> Chapter:
        return get_chapter_by_api_lookup(self.kwargs["lookup"])


@extend_schema(
    tags=["chapters"],
    responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    description=str(_(
        "Every chapter with coordinates as a GeoJSON FeatureCollection of points "
        "(name, level, member count, web address); the world map reads it. Cached "
        "for a minute; send If-None-Match with the ETag to get 304."
    )),
)
@api_view(["GET"])
def chapters_geojson(request: Request) -> HttpResponse:
    document = selectors.chapters_geojson_document()
    response: HttpResponse
    if document.etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(
            document.gzipped if gzipped else document.body,
            content_type="application/geo+json",
        )
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = document.etag
    response["Cache-Control"] = f"max-age={selectors.GEOJSON_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Encoding", "Accept-Language"])
    return response
