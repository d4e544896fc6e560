"""Private messages over the REST API (v1): the same rules as the pages.

    GET  /api/v1/conversations/                       yours, newest activity first
    POST /api/v1/conversations/                       start one: recipients, subject, body
    GET  /api/v1/conversations/<id>/messages/         oldest first, paginated (?page=)
    POST /api/v1/conversations/<id>/messages/         post a message: body

Only a conversation's participants get anything but 404 for its id. Reading a page of
messages moves your read mark up to its newest message, as the web page does. Images
are attached on the web only. A refusal (empty or too long, blocked, new account
limits, unknown recipients, unknown fields) is a 400 with its reason; nothing is
stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.lib.interface import api_refusal, member_required, viewer_of
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer
from chapterhouse.members.models import Member

from . import selectors, services
from .access import access_conversation
from .models import Conversation, Message, Participant
from .services import ConversationError

TAGS = ["messages"]




class PersonSerializer(serializers.Serializer[Member]):
    """A participant or an author: their public id and name."""

    public_id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    participants = serializers.SerializerMethodField()
    unread = serializers.IntegerField(read_only=True, help_text=gettext_lazy(
        "Messages others wrote since you last read the conversation."))
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Conversation
        fields = ["public_id", "subject", "participants", "created_at", "last_message_at",
                  "unread", "web_url"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(many=True))
    def get_participants(self, conversation: Conversation) -> list[dict[str, str]]:
        people: list[Participant] = list(conversation.participants.all())
        return [{"public_id": str(p.member.public_id), "display_name": p.member.display_name}
                for p in people]


class MessageSerializer(serializers.ModelSerializer[Message]):
    author = PersonSerializer(read_only=True, allow_null=True)
    body_html = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The Markdown rendered and sanitised."))
    images = serializers.SerializerMethodField(help_text=gettext_lazy(
        "URLs of the attached images (with your session or token)."))

    class Meta:
        model = Message
        fields = ["public_id", "author", "body", "body_html", "created_at", "images"]
        read_only_fields = fields

    def get_body_html(self, message: Message) -> str:
        return str(render_markdown(message.body))

    def get_images(self, message: Message) -> list[str]:
        return [image.get_absolute_url() for image in message.attachments.all()]


class StartSerializer(StrictSerializer):
    recipients = serializers.ListField(
        child=serializers.UUIDField(), allow_empty=False, max_length=100,
        help_text=gettext_lazy("The public ids of the members to write to."))
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200)
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)

    def validate_recipients(self, ids: list[uuid.UUID]) -> list[Member]:
        found = {m.public_id: m for m in
                 Member.objects.active().select_related("user").filter(public_id__in=ids)}
        unknown = [str(i) for i in ids if i not in found]
        if unknown:
            raise ValidationError(_("There is no member with the id %(ids)s.")
                                  % {"ids": ", ".join(unknown)})
        return list(found.values())


class PostSerializer(StrictSerializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


@extend_schema(tags=TAGS)
class ConversationList(generics.ListAPIView[Conversation]):
    """Your conversations, newest activity first, with your unread count in each.
    POST starts one with its first message (201)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ConversationSerializer

    def get_queryset(self) -> QuerySet[Conversation]:
        return selectors.conversations_of(member_required(self.request))

    @extend_schema(request=StartSerializer, responses={201: ConversationSerializer})
    def post(self, request: Request) -> Response:
        member = member_required(request)
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            conversation = services.start_conversation(
                author=member, recipients=data["recipients"], subject=data.get("subject", ""),
                body=data["body"])
        except ConversationError as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        created = selectors.conversations_of(member).get(pk=conversation.pk)
        return Response(ConversationSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class MessageList(generics.ListAPIView[Message]):
    """A conversation's messages, oldest first (the last page is the newest); reading a
    page marks you as having read up to its newest message. POST posts one (201)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MessageSerializer

    def _conversation(self) -> Conversation:
        return access_conversation(self.request, self.kwargs["public_id"])

    def get_queryset(self) -> QuerySet[Message]:
        return selectors.messages_in(self._conversation())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        conversation = self._conversation()
        page = self.paginate_queryset(selectors.messages_in(conversation))
        rows = list(page) if page is not None else []
        if rows:
            services.mark_read(conversation=conversation, member=member_required(request),
                               up_to=rows[-1].pk)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=PostSerializer, responses={201: MessageSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        conversation = access_conversation(
            request, public_id, "conversations.post_message",
            denied=_("You cannot write in this conversation."))
        serializer = PostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            message = services.post_message(conversation=conversation,
                                            author=member_required(request),
                                            body=serializer.validated_data["body"])
        except ConversationError as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("conversations/", ConversationList.as_view(), name="conversation-list"),
    path("conversations/<uuid:public_id>/messages/", MessageList.as_view(),
         name="conversation-messages"),
]
