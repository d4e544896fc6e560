"""Each chapter's forum: /forums/<chapter path>/ (/forums/ for International).

The chapters app's navigation links its "Forums" section to `forums:chapter`.
"""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import forum_views

app_name = "forums"
urlpatterns = [
    path("<chapterpath:url_path>level/", forum_views.forum_level, name="level"),
    path("<chapterpath:url_path>", forum_views.chapter_forum, name="chapter"),
]
