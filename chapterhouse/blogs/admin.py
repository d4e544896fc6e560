"""Blog posts are written by the services only; staff may look, not touch."""

from django.contrib import admin

from chapterhouse.lib.admin import ReadOnlyAdmin

from .models import BlogPost


@admin.register(BlogPost)
class BlogPostAdmin(ReadOnlyAdmin):
    list_display = ["title", "blog", "author", "published_at", "updated_at"]
    search_fields = ["title", "=public_id"]
    list_select_related = ["blog", "author"]
    show_full_result_count = False
