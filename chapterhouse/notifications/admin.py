"""Notices are written by `notify` only; staff may look, not touch."""

from django.contrib import admin

from chapterhouse.lib.admin import ReadOnlyAdmin

from .models import EmailPreference, Notification


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
