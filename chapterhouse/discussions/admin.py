"""Threads and posts are written by the services only (counts, versions and mentions
stay consistent); staff may look, not touch. Locking is on the thread page, where it
is audited."""

from django.contrib import admin

from chapterhouse.lib.admin import ReadOnlyAdmin

from .models import Post, PostVersion, Thread


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["title", "chapter", "kind", "post_count", "last_post_at", "is_locked"]
    list_filter = ["kind", "is_locked"]
    search_fields = ["title", "=public_id", "chapter__url_path"]
    list_select_related = ["chapter"]
    show_full_result_count = False


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", "thread", "created_at", "edited_at"]
    search_fields = ["=public_id", "author__display_name", "thread__title"]
    list_select_related = ["author", "thread"]
    show_full_result_count = False


@admin.register(PostVersion)
class PostVersionAdmin(ReadOnlyAdmin):
    list_display = ["post", "written_at", "replaced_at"]
    list_select_related = ["post"]
    show_full_result_count = False
