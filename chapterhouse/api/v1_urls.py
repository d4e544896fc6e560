"""The REST API's version 1, under /api/v1/ (api/urls.py), imported by the first
request there or the first `v1:` name reversed (lib.lazyurls.lazy_include): its
modules and Django REST framework's serializers are ~10 MB that a worker serving
only pages does without."""

from django.urls import path, re_path

from chapterhouse.activity import api as activity_api
from chapterhouse.announcements import api as announcements_api
from chapterhouse.blogs import api as blogs_api
from chapterhouse.chapters import api as chapters_api
from chapterhouse.chat import api as chat_api
from chapterhouse.conversations import api as conversations_api
from chapterhouse.decisions import api as decisions_api
from chapterhouse.documents import api as documents_api
from chapterhouse.events import api as events_api
from chapterhouse.members import api as members_api
from chapterhouse.moderation import api as moderation_api
from chapterhouse.mutualaid import api as mutualaid_api
from chapterhouse.notifications import api as notifications_api
from chapterhouse.polls import api as polls_api
from chapterhouse.projects import api as projects_api
from chapterhouse.resources import api as resources_api
from chapterhouse.search import api as search_api

from . import views
from .not_found import not_found

app_name = "v1"
urlpatterns = [
    path("auth/token/", views.obtain_token, name="auth-token"),
    path("me/", members_api.me, name="me"),
    path("members/", members_api.MemberList.as_view(), name="member-list"),
    path(
        "members/<uuid:public_id>/", members_api.MemberDetail.as_view(), name="member-detail"
    ),
    path("chapters/", chapters_api.ChapterList.as_view(), name="chapter-list"),
    path("chapters/geojson/", chapters_api.chapters_geojson, name="chapter-geojson"),
    path(
        "chapters/<path:lookup>/", chapters_api.ChapterDetail.as_view(), name="chapter-detail"
    ),
    *decisions_api.urlpatterns,
    *conversations_api.urlpatterns,
    *announcements_api.urlpatterns,
    *chat_api.urlpatterns,
    *notifications_api.urlpatterns,
    # projects, resources and lessons, mutual aid (issue #17)
    *projects_api.urlpatterns,
    *resources_api.urlpatterns,
    *mutualaid_api.urlpatterns,
    *events_api.urlpatterns,
    *blogs_api.urlpatterns,
    # polls and surveys, moderation, founding documents (issue #18)
    *polls_api.urlpatterns,
    *moderation_api.urlpatterns,
    *documents_api.urlpatterns,
    *activity_api.urlpatterns,
    *search_api.urlpatterns,
    # Last: anything else under /api/v1/ is a JSON 404, never the HTML page.
    re_path(r"^(?P<rest>[\s\S]*)$", not_found),  # any character, line breaks too
]

