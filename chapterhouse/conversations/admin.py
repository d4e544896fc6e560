"""Reports of private messages, for staff (moderation proper comes later). Staff see
a reported message and its reason here; conversations themselves are not listed."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ["created_at", "reporter", "author", "excerpt", "resolved"]
    list_filter = ["resolved"]
    list_select_related = ["reporter", "message__author"]
    readonly_fields = ["message", "reporter", "author", "message_body", "reason", "created_at"]
    fields = ["created_at", "reporter", "author", "message_body", "reason", "resolved"]
    ordering = ["-created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    @admin.display(description=_("author"))
    def author(self, report: Report) -> str:
        author = report.message.author
        return author.display_name if author else "—"

    @admin.display(description=_("message"))
    def message_body(self, report: Report) -> str:
        return report.message.body

    @admin.display(description=_("excerpt"))
    def excerpt(self, report: Report) -> str:
        return report.message.body[:80]
