"""Blogs: a chapter's under its address (/c/<path>/blog/, included before
chapters.urls, whose `chapterpath` would otherwise take the whole path), a member's
under their profile's (/m/<id>/blog/), and the actions on a post by its id."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "blogs"
urlpatterns = [
    path("c/<chapterpath:url_path>blog/", views.chapter_blog, name="chapter"),
    path("c/<chapterpath:url_path>blog/new/", views.chapter_new, name="chapter_new"),
    path("c/<chapterpath:url_path>blog/feed/", views.chapter_feed, name="chapter_feed"),
    path("c/<chapterpath:url_path>blog/settings/", views.chapter_settings,
         name="chapter_settings"),
    path("c/<chapterpath:url_path>blog/<str:slug>/", views.chapter_post, name="chapter_post"),
    path("m/<uuid:public_id>/blog/", views.member_blog, name="member"),
    path("m/<uuid:public_id>/blog/feed/", views.member_feed, name="member_feed"),
    path("m/<uuid:public_id>/blog/<str:slug>/", views.member_post, name="member_post"),
    path("blogs/new/", views.member_new, name="member_new"),
    path("blogs/posts/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("blogs/posts/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("blogs/posts/<uuid:public_id>/unpublish/", views.unpublish, name="unpublish"),
    path("blogs/posts/<uuid:public_id>/delete/", views.delete, name="delete"),
]
