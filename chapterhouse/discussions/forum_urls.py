"""Each chapter's forum: /forums/<chapter path>/ (/forums/ for International).

The chapters app's navigation links its "Forums" section to `forums:chapter`.
"""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "forums"
urlpatterns = [
    path("<chapterpath:url_path>", views.chapter_forum, name="chapter"),
]
