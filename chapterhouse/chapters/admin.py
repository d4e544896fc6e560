from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Chapter, ChapterRole


def _actor(request):
    """The acting administrator's member profile, if they have one (for the audit log)."""
    return getattr(request.user, "member", None)


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ChapterRole)
class ChapterRoleAdmin(admin.ModelAdmin):
    """Until chapters grant roles by decision, staff grant facilitator roles here."""

    list_display = ("member", "role", "chapter", "source", "invited_at", "accepted_at")
    list_filter = ("role", "source", ("accepted_at", admin.EmptyFieldListFilter))
    list_select_related = ("member", "chapter")
    search_fields = ("member__display_name", "member__user__email", "chapter__name",
                     "chapter__url_path")
    autocomplete_fields = ("chapter", "member")
    readonly_fields = ("source", "invited_at", "accepted_at")
    actions = ("activate",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("chapter", "member", "role")
        return ("chapter", "member", "role", "source", "invited_at", "accepted_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("chapter", "member", "role", "source", "invited_at", "accepted_at")

    def save_model(self, request, obj, form, change):
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

    def delete_model(self, request, obj):
        services.revoke_role(chapter_role=obj, actor=_actor(request))

    def delete_queryset(self, request, queryset):
        for chapter_role in queryset:
            services.revoke_role(chapter_role=chapter_role, actor=_actor(request))

    @admin.action(description=_("Make the selected invitations active roles"))
    def activate(self, request, queryset):
        for chapter_role in queryset.filter(accepted_at__isnull=True):
            # A grant by the administrator (audited as such), not the member's acceptance.
            services.grant_role(
                chapter=chapter_role.chapter, member=chapter_role.member, role=chapter_role.role,
                source=ChapterRole.Source.ADMIN, actor=_actor(request),
            )
