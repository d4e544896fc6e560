"""A chapter's founding documents, under its address: /c/<path>/documents/ (included
before chapters.urls, whose `chapterpath` would otherwise take the whole path)."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "documents"
urlpatterns = [
    path("c/<chapterpath:url_path>documents/", views.chapter_documents, name="chapter"),
    path("c/<chapterpath:url_path>documents/new/", views.new, name="new"),
    path("c/<chapterpath:url_path>documents/<slug:slug>/", views.detail, name="detail"),
    path("c/<chapterpath:url_path>documents/<slug:slug>/<uuid:section_id>/history/",
         views.history, name="history"),
]
