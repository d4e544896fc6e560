"""Polls are written by the services only; staff may look, not touch."""

from django.contrib import admin

from chapterhouse.lib.admin import ReadOnlyAdmin

from .models import Poll


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "chapter", "author", "anonymous", "closes_at"]
    list_filter = ["kind", "anonymous"]
    search_fields = ["title", "=public_id", "chapter__url_path"]
    list_select_related = ["chapter", "author"]
    # The link's secret is not shown: it lets anyone answer.
    exclude = ["link_token"]
