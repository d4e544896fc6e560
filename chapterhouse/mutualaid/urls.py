"""The mutual-aid boards, under each chapter's address: /c/<path>/mutual-aid/ (included
before chapters.urls, whose `chapterpath` would otherwise take the whole path;
"mutual-aid" is a reserved chapter slug), and the member's own at /me/mutual-aid/."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "mutualaid"
urlpatterns = [
    path("me/mutual-aid/", views.mine, name="mine"),
    path("c/<chapterpath:url_path>mutual-aid/", views.board, name="chapter"),
    path("c/<chapterpath:url_path>mutual-aid/new/", views.new, name="new"),
    path("c/<chapterpath:url_path>mutual-aid/<uuid:public_id>/", views.detail, name="detail"),
    path("c/<chapterpath:url_path>mutual-aid/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("c/<chapterpath:url_path>mutual-aid/<uuid:public_id>/fulfilled/", views.fulfil,
         name="fulfil"),
    path("c/<chapterpath:url_path>mutual-aid/<uuid:public_id>/delete/", views.delete,
         name="delete"),
    path("c/<chapterpath:url_path>mutual-aid/<uuid:public_id>/remove/", views.remove,
         name="remove"),
    path("c/<chapterpath:url_path>mutual-aid/<uuid:public_id>/reply/", views.reply,
         name="reply"),
]
