"""Members over the REST API: the directory, public profiles, and your own profile.

What a viewer sees follows the web exactly: anonymous visitors see the profiles
their owners made public, signed-in members also those shown to members; lists
leave out whoever asked not to be listed; and every part a member chose to hide
(bio, languages, presence, location) is null for everyone but them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import INTERNATIONAL_SEGMENT
from chapterhouse.chapters.api import ChapterRefSerializer, get_chapter_by_api_lookup
from chapterhouse.lib.interface import viewer_of
from chapterhouse.lib.jsonparser import BoundedJSONParser
from chapterhouse.lib.languages import spoken_language_codes
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.places.models import Place

from . import selectors, services
from .access import access_member
from .forms import MAX_LANGUAGES, _clean_display_name
from .models import Member


class PlaceRefSerializer(serializers.Serializer[Place]):
    code = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, place: Place) -> str:
        return place.local_name()


class PublicMemberSerializer(serializers.ModelSerializer[Member]):
    """A member as others see them. Hidden parts are null, never left out."""

    web_url = serializers.SerializerMethodField()
    avatar = serializers.SerializerMethodField()
    # Country and region are always shown (they are chapters the member belongs
    # to); city, neighbourhood and home chapter only with show_location, as on the web.
    country = PlaceRefSerializer(read_only=True, allow_null=True)
    region = PlaceRefSerializer(read_only=True, allow_null=True)
    city = serializers.SerializerMethodField()
    neighbourhood = serializers.SerializerMethodField()
    home_chapter = serializers.SerializerMethodField()
    bio = serializers.SerializerMethodField(help_text=_("Markdown, as written."))
    bio_html = serializers.SerializerMethodField(help_text=_("The bio rendered and sanitised."))
    languages = serializers.SerializerMethodField(help_text=_("Language codes."))
    is_online = serializers.SerializerMethodField()
    last_seen = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "public_id", "display_name", "web_url", "avatar", "joined_at", "country",
            "region", "city", "neighbourhood", "home_chapter", "bio", "bio_html", "languages",
            "is_online", "last_seen",
        ]
        read_only_fields = fields

    def _shows(self, member: Member, flag: str) -> bool:
        viewer = self.context.get("viewer")
        return bool(getattr(member, flag)) or (viewer is not None and viewer.pk == member.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, member: Member) -> str:
        request = self.context.get("request")
        url = member.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_avatar(self, member: Member) -> str | None:
        if not member.avatar:
            return None
        request = self.context.get("request")
        url: str = member.avatar.url
        return request.build_absolute_uri(url) if request is not None else url

    def get_city(self, member: Member) -> str | None:
        if member.city is None or not self._shows(member, "show_location"):
            return None
        return member.city.local_name()

    def get_neighbourhood(self, member: Member) -> str | None:
        if not self._shows(member, "show_location"):
            return None
        return member.neighbourhood or None

    @extend_schema_field(ChapterRefSerializer(allow_null=True))
    def get_home_chapter(self, member: Member) -> dict[str, Any] | None:
        if not self._shows(member, "show_location"):
            return None
        return ChapterRefSerializer(member.home_chapter, context=self.context).data

    def get_bio(self, member: Member) -> str | None:
        return member.bio if self._shows(member, "show_bio") else None

    def get_bio_html(self, member: Member) -> str | None:
        return str(render_markdown(member.bio)) if self._shows(member, "show_bio") else None

    def get_languages(self, member: Member) -> list[str] | None:
        return list(member.languages) if self._shows(member, "show_languages") else None

    def get_is_online(self, member: Member) -> bool | None:
        return member.is_online if self._shows(member, "show_presence") else None

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_last_seen(self, member: Member) -> str | None:
        if not self._shows(member, "show_presence") or member.last_seen is None:
            return None
        return serializers.DateTimeField().to_representation(member.last_seen)


@extend_schema(
    tags=["members"],
    parameters=[
        OpenApiParameter(
            "chapter", str,
            description=_("Only members belonging to the chapter with this url_path "
                          "(its own members and those of its sub-chapters)."),
        ),
    ]
)
class MemberList(generics.ListAPIView[Member]):
    """The member directory: the profiles you may see, of members who list themselves."""

    serializer_class = PublicMemberSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": self.viewer}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.viewer = viewer_of(request).member
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Member]:
        chapter_lookup = self.request.query_params.get("chapter", INTERNATIONAL_SEGMENT)
        try:
            chapter = get_chapter_by_api_lookup(chapter_lookup)
        except Http404:
            if "chapter" in self.request.query_params:
                raise ValidationError({"chapter": [_("There is no such chapter.")]}) from None
            return Member.objects.none()  # No International yet: nobody has joined.
        # The same list as the chapter's members page on the web.
        members = selectors.members_listed_for(chapter, self.viewer)
        return members.select_related("country", "region", "city")


@extend_schema(tags=["members"])
class MemberDetail(generics.RetrieveAPIView[Member]):
    """One member's profile, as you may see it; 404 when it is not shown to you."""

    serializer_class = PublicMemberSerializer
    lookup_field = "public_id"

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": self.viewer}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.viewer = viewer_of(request).member
        return super().retrieve(request, *args, **kwargs)

    def get_object(self) -> Member:
        member = access_member(
            self.request, self.kwargs["public_id"],
            queryset=Member.objects.select_related(
                "home_chapter", "country", "region", "city", "user"
            ),
        )
        if not member.user.is_active:
            raise Http404
        return member


class StrictSerializer(serializers.Serializer[Any]):
    """Refuses fields it does not know, or may not write, instead of ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise ValidationError(
                    {name: [_("This field cannot be changed here.")] for name in unknown}
                )
        return super().to_internal_value(data)


class _JSONText(serializers.CharField):
    """Text only as a JSON string (DRF would take 0 for "0")."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class _JSONFlag(serializers.BooleanField):
    """A flag only as JSON true or false (DRF would take "yes", 1, "on")."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class OwnProfileSerializer(StrictSerializer, serializers.ModelSerializer[Member]):
    """Your own profile: everything, and the parts you may change."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: _JSONText,
        models.TextField: _JSONText,
        models.BooleanField: _JSONFlag,
    }

    web_url = serializers.SerializerMethodField()
    avatar = serializers.SerializerMethodField()
    home_chapter = ChapterRefSerializer(read_only=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=10), max_length=MAX_LANGUAGES, required=False,
        help_text=_("Language codes, e.g. [\"en\", \"es\"], as in the profile form."),
    )

    class Meta:
        model = Member
        fields = [
            "public_id", "web_url", "avatar", "joined_at", "home_chapter", "neighbourhood",
            "display_name", "bio", "languages", "profile_visibility", "listed_in_directory",
            "show_bio", "show_languages", "show_presence", "show_location",
        ]
        read_only_fields = [
            "public_id", "web_url", "avatar", "joined_at", "home_chapter", "neighbourhood",
        ]

    def get_web_url(self, member: Member) -> str:
        return PublicMemberSerializer.get_web_url(self, member)  # type: ignore[arg-type]

    def get_avatar(self, member: Member) -> str | None:
        return PublicMemberSerializer.get_avatar(self, member)  # type: ignore[arg-type]

    # The same rules as the profile form on the web.
    def validate_display_name(self, value: str) -> str:
        return _clean_display_name(value)

    def validate_languages(self, value: list[str]) -> list[str]:
        codes = [code.strip().lower() for code in value]
        known = set(spoken_language_codes())
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return list(dict.fromkeys(codes))

    def update(self, instance: Member, validated_data: dict[str, Any]) -> Member:
        try:
            return services.update_profile(member=instance, **validated_data)
        except DjangoValidationError as error:
            raise ValidationError(serializers.as_serializer_error(error)) from error


def _own_member(request: Request) -> Member:
    member = viewer_of(request).member
    if member is None:
        raise Http404(_("You have no member profile."))
    return member


@extend_schema(methods=["GET"], responses=OwnProfileSerializer, tags=["me"])
@extend_schema(
    methods=["PATCH"], request=OwnProfileSerializer(partial=True), responses=OwnProfileSerializer,
    tags=["me"],
)
@api_view(["GET", "PATCH"])
@parser_classes([BoundedJSONParser])  # JSON only: a form's strings would pass for booleans
@permission_classes([IsAuthenticated])
def me(request: Request) -> Response:
    """Your own profile. PATCH changes the fields sent; unknown fields are refused."""
    member = _own_member(request)
    if request.method == "PATCH":
        serializer = OwnProfileSerializer(
            member, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        member = serializer.save()
        return Response(
            OwnProfileSerializer(member, context={"request": request}).data,
            status=status.HTTP_200_OK,
        )
    return Response(OwnProfileSerializer(member, context={"request": request}).data)
