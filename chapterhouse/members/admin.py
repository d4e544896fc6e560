from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chapterhouse.lib.admin import ModelAdmin

from . import services
from .models import Member, User


class _DeletesWithWhatBelongsToIt:
    """Deleting a member takes their notices and roles with them.

    Those admins may refuse deletion on their own (notices are never deleted one
    by one), which would make a member impossible to delete; the permission to
    delete the member is what counts here.
    """

    def get_deleted_objects(
        self, objs: Sequence[Any] | QuerySet[Any], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        deleted = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        to_delete, model_count, _perms_needed, protected = deleted
        return to_delete, model_count, set(), protected


def _delete_users(users: Iterable[User]) -> None:
    # A member's chapters shrink by one when they go: through the service, not a cascade.
    for user in users:
        member = Member.objects.filter(user=user).first()
        if member is not None:
            services.delete_account(member=member)
        else:
            user.delete()


@admin.register(User)
class UserAdmin(_DeletesWithWhatBelongsToIt, DjangoUserAdmin[User]):
    """Django's user admin, with the email address as the login and no username."""

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )
    list_display = ("email", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email",)
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        _delete_users([obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        _delete_users(list(queryset))


@admin.register(Member)
class MemberAdmin(_DeletesWithWhatBelongsToIt, ModelAdmin):
    list_display = ("display_name", "email", "home_chapter", "joined_at", "last_seen",
                    "profile_visibility")
    list_select_related = ("user", "home_chapter")
    list_filter = ("profile_visibility", "joined_at")
    search_fields = ("display_name", "user__email")
    raw_id_fields = ("user", "home_chapter", "country", "region", "city")
    readonly_fields = ("public_id", "joined_at", "last_seen")
    date_hierarchy = "joined_at"
    # Moving a member changes the member counts of chapters; use the site's
    # "change location" page (members.services.move_member) rather than editing
    # the home chapter here.

    @admin.display(description=_("email address"), ordering="user__email")
    def email(self, obj: Member) -> str:
        return obj.user.email

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A member joins through signup (members.services.register_member), which
        # places them in their chapters and keeps the counts exact.
        return False

    def delete_model(self, request: HttpRequest, obj: Member) -> None:
        services.delete_account(member=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset:
            services.delete_account(member=member)

    def get_readonly_fields(self, request: HttpRequest, obj: Member | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Counts are denormalised; only the members services move a member.
            fields += ["home_chapter", "country", "region", "city", "neighbourhood"]
        return fields
