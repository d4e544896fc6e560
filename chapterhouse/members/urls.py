from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "members"
urlpatterns = [
    path("", views.home, name="home"),
    path("m/search/", views.search, name="search"),
    # A section of the chapter's sub-site, served here: it lists members.
    path("c/<chapterpath:url_path>members/", views.chapter_members, name="chapter_members"),
    path("m/<uuid:public_id>/", views.profile, name="profile"),
    path("me/edit/", views.edit_profile, name="edit_profile"),
    path("me/avatar/", views.avatar, name="avatar"),
    path("me/location/", views.location, name="location"),
    path("me/tokens/", views.api_tokens, name="api_tokens"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete, name="delete"),
]
