from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chapterhouse.lib.admin import ModelAdmin
from chapterhouse.lib.interface import viewer_of

from . import services
from .models import Chapter, ChapterRole

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def _actor(request: HttpRequest) -> Member | None:
    """The acting administrator's member profile, if they have one (for the audit log)."""
    return viewer_of(request).member


@admin.register(Chapter)
class ChapterAdmin(ModelAdmin):
    """Chapters are created when their first member arrives (chapters.services);
    here staff can correct names, descriptions and coordinates, not the tree."""

    list_display = ("name", "url_path", "level", "member_count", "created_at")
    list_filter = ("level",)
    search_fields = ("name", "url_path")
    ordering = ("path",)
    fields = (
        "name", "names", "description", "latitude", "longitude",
        "url_path", "slug", "level", "place", "member_count", "path", "depth", "numchild",
        "created_at",
    )
    # The tree and the denormalised counts are kept by the services; editing them
    # here would break url paths below or the counts.
    readonly_fields = (
        "url_path", "slug", "level", "place", "member_count", "path", "depth", "numchild",
        "created_at",
    )
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ChapterRole)
class ChapterRoleAdmin(ModelAdmin):
    """Until chapters grant roles by decision, staff grant facilitator roles here."""

    list_display = ("member", "role", "chapter", "source", "invited_at", "accepted_at")
    list_filter = ("role", "source", ("accepted_at", admin.EmptyFieldListFilter))
    list_select_related = ("member", "chapter")
    search_fields = ("member__display_name", "member__user__email", "chapter__name",
                     "chapter__url_path")
    autocomplete_fields = ("chapter", "member")
    readonly_fields = ("source", "invited_at", "accepted_at")
    actions = ("activate",)

    def get_fields(self, request: HttpRequest, obj: ChapterRole | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("chapter", "member", "role")
        return ("chapter", "member", "role", "source", "invited_at", "accepted_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: ChapterRole | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("chapter", "member", "role", "source", "invited_at", "accepted_at")

    def save_model(
        self, request: HttpRequest, obj: ChapterRole, form: ModelForm[ChapterRole], change: bool
    ) -> None:
        if change:
            return  # nothing on a saved role is editable here
        granted = services.grant_role(
            chapter=obj.chapter, member=obj.member, role=obj.role,
            source=ChapterRole.Source.ADMIN, actor=_actor(request),
        )
        obj.pk = granted.pk
        obj.source = granted.source
        obj.invited_at = granted.invited_at
        obj.accepted_at = granted.accepted_at

    def delete_model(self, request: HttpRequest, obj: ChapterRole) -> None:
        services.revoke_role(chapter_role=obj, actor=_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ChapterRole]) -> None:
        for chapter_role in queryset:
            services.revoke_role(chapter_role=chapter_role, actor=_actor(request))

    @admin.action(description=_("Make the selected invitations active roles"))
    def activate(self, request: HttpRequest, queryset: QuerySet[ChapterRole]) -> None:
        for chapter_role in queryset.filter(accepted_at__isnull=True):
            # A grant by the administrator (audited as such), not the member's acceptance.
            services.grant_role(
                chapter=chapter_role.chapter, member=chapter_role.member, role=chapter_role.role,
                source=ChapterRole.Source.ADMIN, actor=_actor(request),
            )
