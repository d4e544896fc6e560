"""A chapter's announcements over the REST API (v1): the same rules as the pages.

    GET   /api/v1/announcements/?chapter=<address>   what the chapter's page shows,
                                                      newest first, paginated (?page=)
    POST  /api/v1/announcements/                     announce: chapter, title, body,
                                                      reaches_subchapters
    GET   /api/v1/announcements/<id>/                one (a withdrawn one says only
                                                      who withdrew it, when and why)
    PATCH /api/v1/announcements/<id>/                edit its title and/or body
    POST  /api/v1/announcements/<id>/withdraw/       withdraw it: reason (optional)

A chapter's address is its url_path, `international` for the root (as in the chapters
API). Anyone reads; announcing is for the chapter's facilitators (and its members where
the chapter allows it), editing and withdrawing for the author and the chapter's
facilitators (403 otherwise; 404 for an unknown id). A refusal (empty or too long,
nothing changed, already withdrawn, unknown fields) is a 400 with its reason; nothing
is stored.
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

from chapterhouse.chapters.access import access_chapter, url_path_of
from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, person, viewer_of
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer

from . import selectors, services
from .access import access_announcement_by_id
from .models import BODY_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Announcement

TAGS = ["announcements"]




class AuthorSerializer(serializers.Serializer[Any]):
    """A member: their public id and name."""

    public_id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class AnnouncementSerializer(serializers.ModelSerializer[Announcement]):
    """An announcement. Once withdrawn, its title, body and author are null: it says
    only who withdrew it, when, and why."""

    chapter = ChapterRefSerializer(read_only=True)
    author = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(help_text=gettext_lazy("Markdown."))
    body_html = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The Markdown rendered and sanitised."))
    withdrawn_by = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Announcement
        fields = ["public_id", "chapter", "author", "title", "body", "body_html",
                  "reaches_subchapters", "created_at", "edited_at", "withdrawn_at",
                  "withdrawn_by", "withdrawal_reason", "web_url"]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, announcement: Announcement) -> dict[str, str] | None:
        if announcement.is_withdrawn:
            return None
        return person(announcement.author)

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_withdrawn_by(self, announcement: Announcement) -> dict[str, str] | None:
        return person(announcement.withdrawn_by) if announcement.is_withdrawn else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_title(self, announcement: Announcement) -> str | None:
        return None if announcement.is_withdrawn else announcement.title

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, announcement: Announcement) -> str | None:
        return None if announcement.is_withdrawn else announcement.body

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body_html(self, announcement: Announcement) -> str | None:
        if announcement.is_withdrawn:
            return None
        return str(render_markdown(announcement.body))




class AnnounceSerializer(StrictSerializer):
    chapter = serializers.CharField(help_text=gettext_lazy(
        "The chapter's address: its url_path, `international` for the root."))
    # Lengths are the service's to check (one message for the title and the text).
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH + 1000)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH + 1000)
    reaches_subchapters = serializers.BooleanField(required=False, default=False)


class EditSerializer(StrictSerializer):
    title = serializers.CharField(required=False, max_length=TITLE_MAX_LENGTH + 1000)
    body = serializers.CharField(required=False, max_length=BODY_MAX_LENGTH + 1000)


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=REASON_MAX_LENGTH)


def _chapter(request: Request, lookup: str, permission: str | None = None) -> ChapterChain:
    return access_chapter(
        request, url_path_of(lookup), permission,
        denied=_("Only this chapter's facilitators (and its members, where the chapter "
                 "allows it) can write announcements."),
    )


@extend_schema(tags=TAGS)
class AnnouncementList(generics.ListAPIView[Announcement]):
    """The announcements a chapter's page shows (its own, and those of the chapters
    above it sent to every chapter below), newest first; never withdrawn ones.
    POST announces (201)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = AnnouncementSerializer

    def get_queryset(self) -> QuerySet[Announcement]:
        lookup = self.request.query_params.get("chapter")
        if not lookup:
            raise ValidationError({"chapter": [_("Give the chapter's address.")]})
        return selectors.announcements_shown_in(_chapter(self.request, lookup).chain)

    @extend_schema(parameters=[OpenApiParameter(
        "chapter", str, required=True,
        description="The chapter's address: its url_path, `international` for the root.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AnnounceSerializer, responses={201: AnnouncementSerializer})
    def post(self, request: Request) -> Response:
        member_required(request)
        serializer = AnnounceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        found = _chapter(request, data["chapter"], "announcements.announce")
        try:
            announcement = services.announce(
                chapter=found.chapter, author=member_required(request),
                title=data["title"], body=data["body"],
                reaches_subchapters=data["reaches_subchapters"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AnnouncementSerializer(announcement).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class AnnouncementDetail(generics.GenericAPIView[Announcement]):
    """One announcement; PATCH edits its title and/or body (its author and its
    chapter's facilitators)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = AnnouncementSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        announcement = access_announcement_by_id(request, public_id)
        return Response(AnnouncementSerializer(announcement).data)

    @extend_schema(request=EditSerializer, responses={200: AnnouncementSerializer})
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        announcement = access_announcement_by_id(request, public_id,
                                                 "announcements.edit_announcement")
        serializer = EditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.edit_announcement(
                announcement=announcement, editor=member_required(request),
                title=data.get("title", announcement.title),
                body=data.get("body", announcement.body))
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AnnouncementSerializer(announcement).data)


@extend_schema(tags=TAGS)
class AnnouncementWithdraw(generics.GenericAPIView[Announcement]):
    """Withdraw an announcement (its author and its chapter's facilitators), with an
    optional reason: it leaves the chapter's pages and lists."""

    permission_classes = [IsAuthenticated]
    serializer_class = WithdrawSerializer

    @extend_schema(request=WithdrawSerializer, responses={200: AnnouncementSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        announcement = access_announcement_by_id(request, public_id,
                                                 "announcements.withdraw_announcement")
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.withdraw_announcement(
                announcement=announcement, member=member_required(request),
                reason=serializer.validated_data["reason"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AnnouncementSerializer(announcement).data)


urlpatterns = [
    path("announcements/", AnnouncementList.as_view(), name="announcement-list"),
    path("announcements/<uuid:public_id>/", AnnouncementDetail.as_view(),
         name="announcement-detail"),
    path("announcements/<uuid:public_id>/withdraw/", AnnouncementWithdraw.as_view(),
         name="announcement-withdraw"),
]
