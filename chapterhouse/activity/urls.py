"""The activity: /activity/ (the member's feed), /activity/chapters/ (what chapters are
doing), /activity/following/, the follow buttons' POSTs, and each chapter's Atom feed at
/c/<path>activity.atom (included before chapters.urls, whose `chapterpath` would
otherwise take the whole path)."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "activity"
urlpatterns = [
    path("activity/", views.feed, name="feed"),
    path("activity/chapters/", views.pulse, name="pulse"),
    path("activity/following/", views.following, name="following"),
    path("activity/follow/c/<chapterpath:url_path>", views.follow_chapter,
         name="follow_chapter"),
    path("activity/follow/group/<uuid:public_id>/", views.follow_group, name="follow_group"),
    path("activity/unfollow/<uuid:public_id>/", views.unfollow, name="unfollow"),
    path("c/<chapterpath:url_path>activity.atom", views.chapter_atom, name="chapter_atom"),
]
