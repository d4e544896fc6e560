"""Chat over the REST API (v1): the rooms you are in, and a room's history.

    GET /api/v1/chat/rooms/                        your rooms, with unread counts
    GET /api/v1/chat/rooms/<id>/messages/          the newest messages, oldest first
        ?before=<message id>                       the page before that message
        ?after=<message id>                        the messages after it (catching up)

Only those who may see the room (the pages' rule, chat.view_room) read its history:
anyone else gets 404, as for a room that does not exist. Writing is by the socket or
the room's form.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.lib.interface import member_required

from . import selectors
from .access import access_room

TAGS = ["chat"]

MESSAGE_FIELDS: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "id": serializers.IntegerField(),
    "public_id": serializers.UUIDField(),
    "author": serializers.CharField(),
    "author_id": serializers.UUIDField(allow_null=True),
    "author_url": serializers.CharField(allow_null=True),
    "html": serializers.CharField(help_text="Sanitised HTML; empty when deleted or hidden."),
    "created_at": serializers.DateTimeField(),
    "edited": serializers.BooleanField(),
    "state": serializers.ChoiceField(choices=["shown", "deleted", "hidden"]),
    "hidden_reason": serializers.CharField(),
}


def _message_id(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationError({name: [_("Give the id of a message.")]})
    return int(value)


@extend_schema(tags=TAGS, responses={200: inline_serializer("ChatRoomList", {
    "results": inline_serializer("ChatRoom", {
        "id": serializers.UUIDField(), "name": serializers.CharField(),
        "chapter": serializers.CharField(), "is_chapter_room": serializers.BooleanField(),
        "access": serializers.CharField(), "unread": serializers.IntegerField(),
    }, many=True)})})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def rooms(request: Request) -> Response:
    """The rooms you are in (your chapters' rooms that exist, and those you joined)."""
    member = member_required(request)
    rows = selectors.rooms_of(member)
    return Response({"results": [{
        "id": room.public_id,
        "name": room.chapter.display_name() if room.is_chapter_room else room.name,
        "chapter": room.chapter.url_path,
        "is_chapter_room": room.is_chapter_room,
        "access": room.access,
        "unread": room.unread,  # type: ignore[attr-defined]
    } for room in rows]})


@extend_schema(
    tags=TAGS,
    parameters=[OpenApiParameter("before", int), OpenApiParameter("after", int)],
    responses={200: inline_serializer("ChatHistory", {
        "results": inline_serializer("ChatMessage", MESSAGE_FIELDS, many=True),
        "older": serializers.IntegerField(allow_null=True, help_text=(
            "Pass as ?before= for the page before; null at the first message.")),
    })},
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def history(request: Request, public_id: Any) -> Response:
    """A room's messages, oldest first: the newest page, the page `before` a message,
    or those `after` one (at most 500)."""
    room = access_room(request, public_id)
    before = _message_id(request, "before")
    after = _message_id(request, "after")
    if before is not None and after is not None:
        raise ValidationError({"before": [_("Ask for messages before or after one, not both.")]})
    if after is not None:
        rows, older = selectors.messages_after(room, after), None
    else:
        rows, has_older = selectors.history(room, before=before)
        older = rows[0].pk if has_older and rows else None
    members = selectors.mentioned_members(rows)
    return Response({"results": [selectors.payload(row, members) for row in rows],
                     "older": older})


urlpatterns = [
    path("chat/rooms/", rooms, name="chat-room-list"),
    path("chat/rooms/<uuid:public_id>/messages/", history, name="chat-room-messages"),
]
