from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
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
