"""A chapter's library and the organisation's lessons over the REST API (v1): the same
rules as the pages.

    GET   /api/v1/resources/?chapter=<address>&tag=  the chapter's resources the viewer
                                                    sees, newest first (?page=)
    POST  /api/v1/resources/                        add a link (JSON: chapter, title,
                                                    url, …) or a file (multipart: the
                                                    same fields with `file`)
    GET   /api/v1/resources/<id>/                   one: its metadata; a file's content
                                                    only through `download_url`
    POST  /api/v1/resources/<id>/remove/            a facilitator removes it: reason
    GET   /api/v1/lessons/?topic=&place=<address>   every chapter's lessons, newest first
    POST  /api/v1/lessons/                          write one: chapter, title, body, topic
    GET   /api/v1/lessons/<id>/                     one
    POST  /api/v1/lessons/<id>/helped/              "this helped us" (other chapters)

A file is checked as on the page (by its content, its size; services.check_upload) and
stored only then; it is downloaded from the page's address, which checks again who may
see it. A members-only resource, or a library the chapter keeps to its members, is a
404 to anyone else. Writing needs credentials (401) and the page's rule (403); bad or
unknown fields are a 400 with the reason, nothing stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_chapter, access_section, url_path_of
from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.conversations.api import PersonSerializer
from chapterhouse.lib.api_hidden import HiddenAware, HiddenAwareList
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, require, viewer_of
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer

from . import selectors, services
from .access import access_lesson, access_resource_by_id
from .models import (
    DESCRIPTION_MAX_LENGTH,
    LESSON_BODY_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Lesson,
    Resource,
    Topic,
    Visibility,
)

TAGS = ["resources"]
SECTION = "resources"
CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")




class ResourceFileSerializer(serializers.Serializer[Resource]):
    """A resource's file: what it was found to be by its content, and where to download
    it (with your session or token; the same check as the resource)."""

    filename = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True, help_text=gettext_lazy("In bytes."))
    download_url = serializers.CharField(source="get_download_url", read_only=True)


class ResourceSerializer(HiddenAware, serializers.ModelSerializer[Resource]):
    """A link (`url`) or a file (`file`), never both."""

    chapter = ChapterRefSerializer(read_only=True)
    author = PersonSerializer(read_only=True, allow_null=True)
    file = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    hidden_fields = ('title', 'description', 'url', 'file')

    class Meta:
        list_serializer_class = HiddenAwareList
        model = Resource
        fields = ["public_id", "chapter", "author", "title", "description", "url", "file",
                  "visibility", "tags", "created_at", "web_url", "hidden"]
        read_only_fields = fields

    @extend_schema_field(ResourceFileSerializer(allow_null=True))
    def get_file(self, resource: Resource) -> Any:
        return ResourceFileSerializer(resource).data if resource.is_file else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, resource: Resource) -> list[str]:
        return [tag.name for tag in resource.tags.all()]


class ResourceAddSerializer(StrictSerializer):
    chapter = serializers.CharField(help_text=CHAPTER_HELP)
    # Lengths are the service's to check (with its own message).
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH + 1000)
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=DESCRIPTION_MAX_LENGTH + 1000)
    url = serializers.CharField(required=False, allow_blank=True, default="",
                                max_length=URL_MAX_LENGTH + 1000, help_text=gettext_lazy(
                                    "A link (http or https); or give a file instead."))
    file = serializers.FileField(required=False, allow_null=True, default=None,
                                 allow_empty_file=True, help_text=gettext_lazy(
                                     "Multipart only: PDF, PNG, JPEG, WebP, OpenDocument, "
                                     "Microsoft Office or plain text."))
    tags = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=500, help_text=gettext_lazy(
                                     "Separated by commas, e.g. “training, flyers”."))
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False,
                                         default=Visibility.PUBLIC)


class ResourceRemoveSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class LessonSerializer(HiddenAware, serializers.ModelSerializer[Lesson]):
    """A lesson learned, shared with every chapter. Removed by its author as they left:
    its body is empty."""

    chapter = ChapterRefSerializer(read_only=True)
    author = PersonSerializer(read_only=True, allow_null=True)
    body_html = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The Markdown rendered and sanitised."))
    helped_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy(
        "How many other chapters said it helped them."))
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    hidden_fields = ('title', 'body', 'body_html')

    class Meta:
        list_serializer_class = HiddenAwareList
        model = Lesson
        fields = ["public_id", "chapter", "author", "title", "topic", "body", "body_html",
                  "helped_count", "created_at", "web_url", "hidden"]
        read_only_fields = fields

    def get_body_html(self, lesson: Lesson) -> str:
        return str(render_markdown(lesson.body))


class LessonWriteSerializer(StrictSerializer):
    chapter = serializers.CharField(help_text=CHAPTER_HELP)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH + 1000)
    body = serializers.CharField(max_length=LESSON_BODY_MAX_LENGTH + 1000,
                                 help_text=gettext_lazy("Markdown."))
    topic = serializers.ChoiceField(choices=Topic.choices)


@extend_schema(tags=TAGS)
class ResourceList(generics.ListAPIView[Resource]):
    """The chapter's resources the viewer sees, newest first: the members-only ones only
    for its members and facilitators (filtered in the query). POST adds a link (JSON)
    or a file (multipart) to the library (201)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = ResourceSerializer

    def get_queryset(self) -> QuerySet[Resource]:
        lookup = self.request.query_params.get("chapter")
        if not lookup:
            raise ValidationError({"chapter": [_("Give the chapter's address.")]})
        chapter = access_section(self.request, url_path_of(lookup), SECTION).chapter
        tag = self.request.query_params.get("tag", "").strip().casefold()[:100]
        members_view = viewer_of(self.request).can("resources.view_members_only", chapter)
        return selectors.resources_in(chapter, members_view=members_view, tag=tag)

    @extend_schema(parameters=[
        OpenApiParameter("chapter", str, required=True, description=str(CHAPTER_HELP)),
        OpenApiParameter("tag", str, description="Only the resources with this tag."),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request={"application/json": ResourceAddSerializer,
                            "multipart/form-data": ResourceAddSerializer},
                   responses={201: ResourceSerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = ResourceAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        found = access_section(request, url_path_of(data["chapter"]), SECTION)
        require(request, "resources.add_resource", found.chapter,
                _("Only members of this chapter can add to its library."))
        upload = data["file"]
        try:
            resource = services.add_resource(
                chapter=found.chapter, author=author, title=data["title"],
                description=data["description"], url=data["url"], upload=upload,
                upload_name=upload.name if upload else "",
                upload_size=upload.size if upload else None,
                visibility=data["visibility"], tags=data["tags"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        data = ResourceSerializer(resource, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class ResourceDetail(generics.GenericAPIView[Resource]):
    """One resource's metadata; a file is downloaded from its `download_url`."""

    serializer_class = ResourceSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        resource = access_resource_by_id(request, public_id)
        data = ResourceSerializer(resource, context={"request": request}).data
        return Response(data)


@extend_schema(tags=TAGS)
class ResourceRemove(generics.GenericAPIView[Resource]):
    """A facilitator of the chapter removes a resource, saying why (audited; 204)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ResourceRemoveSerializer

    @extend_schema(request=ResourceRemoveSerializer, responses={204: None})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        resource = access_resource_by_id(
            request, public_id, "resources.remove_resource",
            denied=_("Only this chapter's facilitators can remove resources."))
        by = member_required(request)
        serializer = ResourceRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.remove_resource(resource=resource, by=by,
                                     reason=serializer.validated_data["reason"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class LessonList(generics.ListAPIView[Lesson]):
    """Every chapter's lessons, newest first, of a topic and from a place (the chapter
    and every chapter below it) when given. POST writes one for a chapter of yours
    (201)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = LessonSerializer

    def get_queryset(self) -> QuerySet[Lesson]:
        params = self.request.query_params
        topic = params.get("topic")
        if topic is not None and topic not in Topic.values:  # an empty one too
            raise ValidationError({"topic": [_("Choose a topic.")]})
        place = None
        if params.get("place"):
            place = access_chapter(self.request, url_path_of(params["place"])).chapter
        return selectors.lessons(viewer=viewer_of(self.request).active_member,
                                 topic=topic or "", place=place)

    @extend_schema(parameters=[
        OpenApiParameter("topic", str, enum=Topic.values, description="Only this topic."),
        OpenApiParameter("place", str, description=(
            "Only the lessons of this chapter and the chapters below it: its address.")),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=LessonWriteSerializer, responses={201: LessonSerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = LessonWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        found = access_chapter(
            request, url_path_of(data["chapter"]), "resources.write_lesson",
            denied=_("Only members of this chapter can write its lessons."))
        try:
            lesson = services.write_lesson(chapter=found.chapter, author=author,
                                           title=data["title"], body=data["body"],
                                           topic=data["topic"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        data = LessonSerializer(lesson, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class LessonDetail(generics.GenericAPIView[Lesson]):
    """One lesson."""

    serializer_class = LessonSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        lesson = access_lesson(request, public_id)
        data = LessonSerializer(lesson, context={"request": request}).data
        return Response(data)


@extend_schema(tags=TAGS)
class LessonHelped(generics.GenericAPIView[Lesson]):
    """"This helped us": your chapter (your home) says the lesson helped it, once per
    chapter; never the lesson's own chapter or one below it (403). Its author is told."""

    permission_classes = [IsAuthenticated]
    serializer_class = LessonSerializer

    @extend_schema(request=None, responses={200: LessonSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        lesson = access_lesson(
            request, public_id, "resources.mark_helpful",
            denied=_("Lessons are marked helpful by other chapters, not by their own."))
        member = member_required(request)
        try:
            services.mark_helpful(lesson=lesson, member=member)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(LessonSerializer(lesson, context={"request": request}).data)


urlpatterns = [
    path("resources/", ResourceList.as_view(), name="resource-list"),
    path("resources/<uuid:public_id>/", ResourceDetail.as_view(), name="resource-detail"),
    path("resources/<uuid:public_id>/remove/", ResourceRemove.as_view(),
         name="resource-remove"),
    path("lessons/", LessonList.as_view(), name="lesson-list"),
    path("lessons/<uuid:public_id>/", LessonDetail.as_view(), name="lesson-detail"),
    path("lessons/<uuid:public_id>/helped/", LessonHelped.as_view(), name="lesson-helped"),
]
