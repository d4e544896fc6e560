from django.contrib import admin
from django.http import HttpRequest

from .models import EmailPreference, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """Notices are written by `notify` only; staff may look, not touch."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "read_at", "emailed_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__display_name", "recipient__user__email", "=recipient__public_id"]
    list_select_related = ["recipient"]
    show_full_result_count = False


@admin.register(EmailPreference)
class EmailPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["member", "kind", "send_email"]
    list_filter = ["kind", "send_email"]
    search_fields = ["member__display_name", "member__user__email"]
    list_select_related = ["member"]
