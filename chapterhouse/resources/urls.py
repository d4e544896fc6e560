"""A chapter's library under its address (/c/<path>/resources/; included before
chapters.urls, whose `chapterpath` would otherwise take the whole path) and the
organisation's lessons (/lessons/)."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "resources"
urlpatterns = [
    path("c/<chapterpath:url_path>resources/", views.chapter_resources, name="chapter"),
    path("c/<chapterpath:url_path>resources/new/", views.add, name="add"),
    path("c/<chapterpath:url_path>resources/lessons/new/", views.write_lesson,
         name="write_lesson"),
    path("c/<chapterpath:url_path>resources/<uuid:public_id>/", views.detail, name="detail"),
    path("c/<chapterpath:url_path>resources/<uuid:public_id>/file/", views.download,
         name="download"),
    path("c/<chapterpath:url_path>resources/<uuid:public_id>/remove/", views.remove,
         name="remove"),
    path("lessons/", views.lessons, name="lessons"),
    path("lessons/<uuid:public_id>/", views.lesson, name="lesson"),
    path("lessons/<uuid:public_id>/helped/", views.mark_helpful, name="helped"),
]
