"""Admin helpers shared by apps whose rows only their services may write."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

# admin.ModelAdmin is generic in django-stubs; at run time only after
# django_stubs_ext.monkeypatch() (settings call it). Admin classes derive from this name
# so that strict mypy sees its type parameter whatever imports the module first.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(ModelAdmin):
    """Staff may look, not touch: no adding, changing or deleting in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
