from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry

# As chapterhouse.lib.admin.ModelAdmin (audit sits below lib in the app layers).
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ModelAdmin):
    """Read-only: the log is written by `chapterhouse.lib.audit.record` alone."""

    list_display = ["created_at", "action", "actor", "target_label", "chapter"]
    list_filter = ["action"]
    search_fields = ["action", "target_type", "=target_id", "actor__display_name"]
    list_select_related = ["actor", "chapter"]
    readonly_fields = [
        "created_at", "action", "actor", "target_type", "target_id",
        "chapter", "data",
    ]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
