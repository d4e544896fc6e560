"""The activity over the REST API (v1): the viewer's feed and their follows.

    GET    /api/v1/activity/                    the viewer's feed, newest first (?page=,
                                                ?kind= one of the kinds)
    GET    /api/v1/activity/follows/            what the viewer follows
    POST   /api/v1/activity/follows/            follow: {"chapter": <address>} or
                                                {"group": <group id>}
    DELETE /api/v1/activity/follows/<id>/       stop following

Everything needs credentials (401). Who may see an item is in the query (an item kept to
a chapter's members is never listed to anyone else). A bad or unknown field is a 400
naming it; an unknown chapter or group is a 404; nothing is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_chapter, url_path_of
from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, require, viewer_of
from chapterhouse.members.api import StrictSerializer

from . import presenters, selectors, services
from .access import access_follow, access_group
from .models import Activity, Follow, Kind

TAGS = ["activity"]


class ActivitySerializer(serializers.ModelSerializer[Activity]):
    """One thing that happened. `text`: its line in the request's language; `url`: the
    address of what it is about on the site."""

    chapter = ChapterRefSerializer(read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    text = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["kind", "chapter", "happened_at", "title", "text", "url"]
        read_only_fields = fields

    def get_text(self, activity: Activity) -> str:
        return presenters.line(activity)

    def get_title(self, activity: Activity) -> str:
        return str(activity.params.get("title", ""))

    def get_url(self, activity: Activity) -> str:
        return str(activity.params.get("url", ""))


class GroupRefSerializer(serializers.Serializer[Any]):
    public_id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    chapter = ChapterRefSerializer(read_only=True)
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)


class FollowSerializer(serializers.ModelSerializer[Follow]):
    """A chapter or a working group the viewer follows (one of the two is null)."""

    chapter = ChapterRefSerializer(read_only=True, allow_null=True)
    group = GroupRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Follow
        fields = ["public_id", "chapter", "group", "created_at"]
        read_only_fields = fields


class FollowPostSerializer(StrictSerializer):
    chapter = serializers.CharField(required=False, max_length=400, help_text=gettext_lazy(
        "The chapter's address: its url_path, `international` for the root."))
    group = serializers.UUIDField(required=False, help_text=gettext_lazy(
        "The working group's public id."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("chapter" in attrs) == ("group" in attrs):
            raise ValidationError(_("Give a chapter or a group, not both."))
        return attrs


@extend_schema(tags=TAGS)
class FeedList(generics.ListAPIView[Activity]):
    """The viewer's feed: the activity of their chapters (their home chapter and the
    chapters containing it) and of what they follow, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        feed = selectors.feed_for(member_required(self.request))
        kind = self.request.query_params.get("kind")
        if kind is None:
            return feed
        if kind not in Kind.values:
            raise ValidationError({"kind": [_("Choose one of: %(kinds)s.")
                                            % {"kinds": ", ".join(Kind.values)}]})
        return feed.filter(kind=kind)

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=Kind.values,
                                                description="Only this kind.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAGS)
class FollowList(generics.ListAPIView[Follow]):
    """What the viewer follows; POST follows a chapter or a group (201; following it
    again returns the same follow)."""

    permission_classes = [IsAuthenticated]
    serializer_class = FollowSerializer

    def get_queryset(self) -> QuerySet[Follow]:
        return selectors.follows_of(member_required(self.request))

    @extend_schema(request=FollowPostSerializer, responses={201: FollowSerializer})
    def post(self, request: Request) -> Response:
        member = member_required(request)
        serializer = FollowPostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if "chapter" in data:
                chapter = access_chapter(request, url_path_of(data["chapter"])).chapter
                require(request, "activity.follow_chapter", chapter,
                        _("You belong to this chapter: its activity is already in your "
                          "feed."))
                follow = services.follow(member=member, chapter=chapter)
            else:
                group = access_group(request, data["group"], "activity.follow_group",
                                     denied=_("Only members can follow a group."))
                follow = services.follow(member=member, group=group)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        follow = selectors.get_follow(member, follow.public_id) or follow
        return Response(FollowSerializer(follow).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class FollowDetail(generics.GenericAPIView[Follow]):
    """One of the viewer's follows; DELETE stops following (404 for anyone else's)."""

    permission_classes = [IsAuthenticated]
    serializer_class = FollowSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(FollowSerializer(access_follow(request, public_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, public_id: uuid.UUID) -> Response:
        follow = access_follow(request, public_id)
        try:
            services.unfollow(member=member_required(request), follow=follow)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("activity/", FeedList.as_view(), name="activity-feed"),
    path("activity/follows/", FollowList.as_view(), name="activity-follow-list"),
    path("activity/follows/<uuid:public_id>/", FollowDetail.as_view(),
         name="activity-follow-detail"),
]
