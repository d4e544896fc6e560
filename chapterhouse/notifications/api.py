"""A member's own notices over the REST API (v1), in the request's language.

    GET  /api/v1/notifications/                 ?unread=1  newest first, paginated
    POST /api/v1/notifications/read/            mark them all read
    POST /api/v1/notifications/<id>/read/       mark one read

Nobody reads or marks anyone else's: another's notice is a 404.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .access import access_inbox, access_notification
from .models import Kind, Notification

TAGS = ["notifications"]


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    text = serializers.CharField(read_only=True, help_text="In the request's language.")
    url = serializers.CharField(source="link", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read"]

    def get_read(self, notice: Notification) -> bool:
        return notice.read_at is not None


@extend_schema(tags=TAGS, parameters=[OpenApiParameter("unread", bool)])
class NotificationList(generics.ListAPIView[Notification]):
    """Your own notices, newest first, their text in the request's language."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        notices = selectors.notifications_for(access_inbox(self.request))
        given = self.request.query_params.getlist("unread")
        if len(given) > 1 or (given and given[0] not in {"1", "true", "0", "false"}):
            raise ValidationError({"unread": [_("Give true or false.")]})
        if given and given[0] in {"1", "true"}:
            notices = notices.filter(read_at__isnull=True)
        return notices


MARKED = inline_serializer("Marked", {"marked": serializers.IntegerField(),
                                      "unread": serializers.IntegerField()})


@extend_schema(tags=TAGS, request=None, responses=MARKED, operation_id="notifications_read_all")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def mark_all_read(request: Request) -> Response:
    """Mark all your notices read."""
    member = access_inbox(request)
    marked = services.mark_read(member=member)
    return Response({"marked": marked, "unread": selectors.unread_count(member)})


@extend_schema(tags=TAGS, request=None, responses=MARKED, operation_id="notifications_read")
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def mark_read(request: Request, public_id: UUID) -> Response:
    """Mark one of your notices read (404 for anyone else's)."""
    member = access_inbox(request)
    notice = access_notification(request, public_id)
    marked = services.mark_read(member=member, notification_ids=[notice.pk])
    return Response({"marked": marked, "unread": selectors.unread_count(member)})



urlpatterns = [
    path("notifications/", NotificationList.as_view(), name="notification-list"),
    path("notifications/read/", mark_all_read, name="notification-read-all"),
    path("notifications/<uuid:public_id>/read/", mark_read, name="notification-read"),
]
