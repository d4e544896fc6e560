"""A chapter's founding documents over the REST API (v1), read-only: they change only
by decisions (a passed proposal's amendment), never by a request here.

    GET /api/v1/documents/?chapter=<address>              the chapter's documents
    GET /api/v1/documents/<id>/                           one, with its sections
    GET /api/v1/documents/sections/<id>/versions/         a section's versions, newest
                                                          first, each naming its decision
    GET /api/v1/documents/sections/<id>/diff/?from=&to=   what changed between two
                                                          versions

Anyone reads them, as the pages. An unknown chapter, document or section is a 404; a
version the section does not have is a 400 naming it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_chapter, url_path_of

from . import selectors
from . import text as texts
from .access import access_document_by_id, access_section_by_id
from .models import Document, SectionVersion
from .serializers import (
    DiffQuerySerializer,
    DiffSerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    VersionSerializer,
)

TAGS = ["documents"]
CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")


@extend_schema(tags=TAGS)
class DocumentList(generics.ListAPIView[Document]):
    """The chapter's founding documents, oldest first, each with its number of
    sections."""

    serializer_class = DocumentSerializer

    def get_queryset(self) -> QuerySet[Document]:
        lookup = self.request.query_params.get("chapter")
        if not lookup:
            raise ValidationError({"chapter": [_("Give the chapter's address.")]})
        chapter = access_chapter(self.request, url_path_of(lookup)).chapter
        return selectors.documents_with_chapter(chapter)

    @extend_schema(parameters=[
        OpenApiParameter("chapter", str, required=True, description=str(CHAPTER_HELP)),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS)
class DocumentDetail(generics.GenericAPIView[Document]):
    """One document with its sections as they stand, in order."""

    serializer_class = DocumentDetailSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        document = access_document_by_id(request, public_id)
        sections = list(selectors.sections_of(document))
        return Response(DocumentDetailSerializer(
            document, context={"sections": sections}).data)


@extend_schema(tags=TAGS)
class SectionVersions(generics.ListAPIView[SectionVersion]):
    """Every version of a section, newest first: version 1 is the founding text (no
    decision); each later one names the decision that made it."""

    serializer_class = VersionSerializer

    def get_queryset(self) -> QuerySet[SectionVersion]:
        section = access_section_by_id(self.request, self.kwargs["public_id"])
        return selectors.versions_of(section)


@extend_schema(tags=TAGS)
class SectionDiff(generics.GenericAPIView[SectionVersion]):
    """What changed in a section from version `from` to version `to` (either order)."""

    serializer_class = DiffSerializer

    @extend_schema(parameters=[
        OpenApiParameter("from", int, required=True, description="A version's number."),
        OpenApiParameter("to", int, required=True, description="A version's number."),
    ])
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        section = access_section_by_id(request, public_id)
        query = DiffQuerySerializer(data={key: request.query_params[key]
                                          for key in ("from", "to")
                                          if key in request.query_params})
        query.is_valid(raise_exception=True)
        numbers = {key: query.validated_data[key] for key in ("from", "to")}
        found = selectors.versions_numbered(section, numbers.values())
        missing = {key: [_("This section has no version %(number)s.") % {"number": number}]
                   for key, number in numbers.items() if number not in found}
        if missing:
            raise ValidationError(missing)
        before, after = found[numbers["from"]], found[numbers["to"]]
        return Response(DiffSerializer({
            "section": section.public_id, "before": before, "after": after,
            "heading_changed": before.heading != after.heading,
            "diff_html": str(texts.diff_html(before.text, after.text)),
        }).data)


_section = "documents/sections/<uuid:public_id>/"
urlpatterns = [
    path("documents/", DocumentList.as_view(), name="document-list"),
    path("documents/<uuid:public_id>/", DocumentDetail.as_view(), name="document-detail"),
    path(_section + "versions/", SectionVersions.as_view(),
         name="document-section-versions"),
    path(_section + "diff/", SectionDiff.as_view(), name="document-section-diff"),
]
