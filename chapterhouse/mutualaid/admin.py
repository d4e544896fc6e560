"""Mutual-aid entries are written by the services only (removal is audited); staff may
look, not touch."""

from django.contrib import admin

from chapterhouse.lib.admin import ReadOnlyAdmin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "category", "chapter", "author", "status", "expires_on"]
    list_filter = ["kind", "category", "status", "visible_to_everyone"]
    search_fields = ["title", "=public_id", "chapter__url_path"]
    list_select_related = ["chapter", "author"]
    show_full_result_count = False
