"""A chapter's announcements, under its address: /c/<path>/announcements/ (included
before chapters.urls, whose `chapterpath` would otherwise take the whole path)."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "announcements"
urlpatterns = [
    path("c/<chapterpath:url_path>announcements/", views.chapter_announcements,
         name="chapter"),
    path("c/<chapterpath:url_path>announcements/new/", views.new, name="new"),
    path("c/<chapterpath:url_path>announcements/<uuid:public_id>/", views.detail,
         name="detail"),
    path("c/<chapterpath:url_path>announcements/<uuid:public_id>/edit/", views.edit,
         name="edit"),
    path("c/<chapterpath:url_path>announcements/<uuid:public_id>/withdraw/", views.withdraw,
         name="withdraw"),
]
