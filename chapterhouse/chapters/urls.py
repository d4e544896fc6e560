from django.urls import path, register_converter
from django.views.generic import RedirectView

from . import views


class ChapterPathConverter:
    """A chapter's url_path followed by a slash, or nothing for International.

    "gb/eng/london/" ↔ "gb/eng/london" and "" ↔ "", so one pattern serves
    International (/c/members/) and every other chapter (/c/gb/members/).
    Page names after it (members/, edit/ …) are reserved: no chapter slug may be
    one of them (chapters.services.RESERVED_SLUGS).
    """

    # \w is Unicode-aware: neighbourhoods named in other scripts keep their letters.
    regex = r"(?:[-\w]+/)*"

    def to_python(self, value: str) -> str:
        return value.rstrip("/")

    def to_url(self, value: str) -> str:
        return f"{value}/" if value else ""


register_converter(ChapterPathConverter, "chapterpath")

app_name = "chapters"
urlpatterns = [
    path("", views.international, name="international"),
    path("mine/", views.mine, name="mine"),
    # Country slugs are two-letter codes: "search" cannot be one.
    path("search/", views.search, name="search"),
    # The map lives at /map/ (chapters.map_urls); this name and URL stay for old links.
    path("map/", RedirectView.as_view(pattern_name="map:index", permanent=False), name="map"),
    # <path>members/ is the members app's page of a chapter's members (members.urls,
    # included before this file).
    path("<chapterpath:url_path>chapters/", views.subchapters, name="subchapters"),
    path("<chapterpath:url_path>edit/", views.edit, name="edit"),
    path("<chapterpath:url_path>", views.detail, name="detail"),
]
