"""Moderation's pages: a chapter's queue, log and settings under its address, and
reporting, moderating and appealing a piece of content."""

from django.urls import path

# Registers the `chapterhouse.chapters` `chapterpath` converter.
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "moderation"
urlpatterns = [
    path("c/<chapterpath:url_path>moderation/", views.queue, name="queue"),
    path("c/<chapterpath:url_path>moderation/log/", views.log, name="log"),
    path("c/<chapterpath:url_path>moderation/settings/", views.settings, name="settings"),
    path("moderation/report/<str:label>/<int:pk>/", views.report, name="report"),
    path("moderation/content/<str:label>/<int:pk>/", views.content, name="content"),
    path("moderation/hidden/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("moderation/appeals/<int:pk>/", views.decide_appeal, name="decide_appeal"),
]
