"""A chapter's mutual-aid board over the REST API (v1): the same rules as the pages.

    GET    /api/v1/mutual-aid/?chapter=<address>   the board's open, unexpired entries the
                                                   viewer may see, newest first (?page=;
                                                   ?kind=, ?category=, ?subchapters=true)
    POST   /api/v1/mutual-aid/                     post one: chapter, kind, category,
                                                   title, description, expires_on,
                                                   visible_to_everyone
    GET    /api/v1/mutual-aid/<id>/                one
    PATCH  /api/v1/mutual-aid/<id>/                its author changes it
    DELETE /api/v1/mutual-aid/<id>/                its author deletes it for good
    POST   /api/v1/mutual-aid/<id>/fulfil/         its author marks it fulfilled
    POST   /api/v1/mutual-aid/<id>/remove/         a facilitator removes it: reason
    POST   /api/v1/mutual-aid/<id>/reply/          reply privately: body; starts a
                                                   conversation with its author

A members-only entry is never listed for anyone but the chapter's members and its
author (filtered in the query), and is a 404 to others, as is a board the chapter keeps
to its members. Writing needs credentials (401) and the page's rule (403); bad or
unknown fields are a 400 naming them, and nothing is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_section, url_path_of
from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.conversations.api import PersonSerializer
from chapterhouse.lib.api_hidden import HiddenAware, HiddenAwareList
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, require, viewer_of
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer

from . import selectors, services
from .access import access_entry_by_id
from .models import (
    DESCRIPTION_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Category,
    Entry,
    EntryKind,
)

TAGS = ["mutual aid"]
SECTION = "mutualaid"
CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")




class AidEntrySerializer(HiddenAware, serializers.ModelSerializer[Entry]):
    """An offer or a request on a chapter's board. `status`: open, fulfilled, or
    removed (then `removed_reason` says why; only its author and the facilitators see
    it)."""

    chapter = ChapterRefSerializer(read_only=True)
    author = PersonSerializer(read_only=True)
    description_html = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The Markdown rendered and sanitised."))
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    hidden_fields = ('title', 'description', 'description_html')

    class Meta:
        list_serializer_class = HiddenAwareList
        model = Entry
        fields = ["public_id", "chapter", "author", "kind", "category", "title",
                  "description", "description_html", "visible_to_everyone", "expires_on",
                  "status", "removed_reason", "created_at", "updated_at", "web_url", "hidden"]
        read_only_fields = fields

    def get_description_html(self, entry: Entry) -> str:
        return str(render_markdown(entry.description))


class AidEntryPostSerializer(StrictSerializer):
    chapter = serializers.CharField(help_text=CHAPTER_HELP)
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    # Lengths and dates are the service's to check (with its own messages).
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH + 1000)
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=DESCRIPTION_MAX_LENGTH + 1000)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text=gettext_lazy(
                                           "Shown on the board until this day; by default "
                                           "30 days from today."))
    visible_to_everyone = serializers.BooleanField(required=False, default=False,
                                                   help_text=gettext_lazy(
                                                       "False: only the chapter's members "
                                                       "see it."))


class AidEntryEditSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    title = serializers.CharField(required=False, max_length=TITLE_MAX_LENGTH + 1000)
    description = serializers.CharField(required=False, allow_blank=True,
                                        max_length=DESCRIPTION_MAX_LENGTH + 1000)
    expires_on = serializers.DateField(required=False, allow_null=True)
    visible_to_everyone = serializers.BooleanField(required=False)


class AidEntryRemoveSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class AidReplySerializer(StrictSerializer):
    body = serializers.CharField(trim_whitespace=False, help_text=gettext_lazy(
        "Your message: only the entry's author reads it."))


class AidReplyResultSerializer(serializers.Serializer[Any]):
    """The private conversation the reply started."""

    conversation = serializers.UUIDField(read_only=True)
    web_url = serializers.CharField(read_only=True)
    messages_url = serializers.CharField(read_only=True, help_text=gettext_lazy(
        "Its messages over the API."))


class AidBoardFilterSerializer(StrictSerializer):
    chapter = serializers.CharField()
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    subchapters = serializers.BooleanField(required=False, default=False)
    page = serializers.CharField(required=False)  # the pagination's to check


@extend_schema(tags=TAGS)
class AidEntryList(generics.ListAPIView[Entry]):
    """The open, unexpired entries of a chapter's board that the viewer may see, newest
    first: members-only ones only for the chapter's members (and their authors), left
    out in the query. POST posts one (the chapter's members; 201)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = AidEntrySerializer

    def get_queryset(self) -> QuerySet[Entry]:
        params = self.request.query_params
        if not params.get("chapter"):
            raise ValidationError({"chapter": [_("Give the chapter's address.")]})
        filters = AidBoardFilterSerializer(data={key: params[key] for key in params})
        filters.is_valid(raise_exception=True)
        chosen = filters.validated_data
        chapter = access_section(self.request, url_path_of(chosen["chapter"]),
                                 SECTION).chapter
        return selectors.board_entries(
            chapter=chapter, viewer=viewer_of(self.request).active_member,
            kind=chosen.get("kind", ""), category=chosen.get("category", ""),
            include_subchapters=chosen["subchapters"])

    @extend_schema(parameters=[
        OpenApiParameter("chapter", str, required=True, description=str(CHAPTER_HELP)),
        OpenApiParameter("kind", str, enum=EntryKind.values, description="Offers or requests."),
        OpenApiParameter("category", str, enum=Category.values),
        OpenApiParameter("subchapters", bool, description="With the chapters below it."),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AidEntryPostSerializer, responses={201: AidEntrySerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = AidEntryPostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        found = access_section(request, url_path_of(data.pop("chapter")), SECTION)
        require(request, "mutualaid.post", found.chapter,
                _("Only the members of this chapter can post on its board."))
        try:
            entry = services.post_entry(chapter=found.chapter, author=author, **data)
        except (Refused, DjangoValidationError) as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        data = AidEntrySerializer(entry, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class AidEntryDetail(generics.GenericAPIView[Entry]):
    """One entry; PATCH changes it and DELETE deletes it for good (its author)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = AidEntrySerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        entry = access_entry_by_id(request, public_id)
        data = AidEntrySerializer(entry, context={"request": request}).data
        return Response(data)

    @extend_schema(request=AidEntryEditSerializer, responses={200: AidEntrySerializer})
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        entry = access_entry_by_id(request, public_id, "mutualaid.edit_entry",
                                   denied=_("Only its author can change this entry."))
        serializer = AidEntryEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = ["kind", "category", "title", "description", "expires_on",
                  "visible_to_everyone"]
        try:
            changed = services.edit_entry(
                entry=entry, **{name: data.get(name, getattr(entry, name)) for name in fields})
        except (Refused, DjangoValidationError) as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AidEntrySerializer(changed, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, public_id: uuid.UUID) -> Response:
        entry = access_entry_by_id(request, public_id, "mutualaid.edit_entry",
                                   denied=_("Only its author can delete this entry."))
        services.delete_entry(entry=entry)
        viewer_of(request).forget()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class AidEntryFulfil(generics.GenericAPIView[Entry]):
    """Its author marks the entry fulfilled: it leaves the board (idempotent)."""

    permission_classes = [IsAuthenticated]
    serializer_class = AidEntrySerializer

    @extend_schema(request=None, responses={200: AidEntrySerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        entry = access_entry_by_id(request, public_id, "mutualaid.edit_entry",
                                   denied=_("Only its author can change this entry."))
        try:
            changed = services.mark_fulfilled(entry=entry)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AidEntrySerializer(changed, context={"request": request}).data)


@extend_schema(tags=TAGS)
class AidEntryRemove(generics.GenericAPIView[Entry]):
    """A facilitator of the entry's chapter removes it from the board, saying why (its
    author reads the reason; audited)."""

    permission_classes = [IsAuthenticated]
    serializer_class = AidEntryRemoveSerializer

    @extend_schema(request=AidEntryRemoveSerializer, responses={200: AidEntrySerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        entry = access_entry_by_id(request, public_id, "mutualaid.remove_entry",
                                   denied=_("Only the chapter's facilitators can remove an "
                                            "entry."))
        facilitator = member_required(request)
        serializer = AidEntryRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            changed = services.remove_entry(entry=entry, facilitator=facilitator,
                                            reason=serializer.validated_data["reason"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AidEntrySerializer(changed, context={"request": request}).data)


@extend_schema(tags=TAGS)
class AidEntryReply(generics.GenericAPIView[Entry]):
    """Reply privately: a new conversation with the entry's author, about the entry,
    with your message as its first (201). The conversations' own limits apply (blocks,
    new accounts' hourly limit): their refusal is a 400."""

    permission_classes = [IsAuthenticated]
    serializer_class = AidReplySerializer

    @extend_schema(request=AidReplySerializer, responses={201: AidReplyResultSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        entry = access_entry_by_id(request, public_id, "mutualaid.reply",
                                   denied=_("You cannot reply to this entry."))
        member = member_required(request)
        serializer = AidReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            conversation = services.reply_privately(
                entry=entry, member=member, body=serializer.validated_data["body"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response({
            "conversation": conversation.public_id,
            "web_url": conversation.get_absolute_url(),
            "messages_url": reverse("v1:conversation-messages",
                                    kwargs={"public_id": conversation.public_id}),
        }, status=status.HTTP_201_CREATED)


_one = "mutual-aid/<uuid:public_id>/"
urlpatterns = [
    path("mutual-aid/", AidEntryList.as_view(), name="aid-entry-list"),
    path(_one, AidEntryDetail.as_view(), name="aid-entry-detail"),
    path(_one + "fulfil/", AidEntryFulfil.as_view(), name="aid-entry-fulfil"),
    path(_one + "remove/", AidEntryRemove.as_view(), name="aid-entry-remove"),
    path(_one + "reply/", AidEntryReply.as_view(), name="aid-entry-reply"),
]
