"""Announcements are written by the service only (audited, told to members); staff may
look, not touch."""

from django.contrib import admin

from chapterhouse.lib.admin import ReadOnlyAdmin

from .models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["title", "chapter", "author", "reaches_subchapters", "created_at"]
    list_filter = ["reaches_subchapters"]
    search_fields = ["title", "=public_id", "chapter__url_path"]
    list_select_related = ["chapter", "author"]
    show_full_result_count = False
