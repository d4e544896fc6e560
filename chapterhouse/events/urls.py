"""Events: /events/<chapter path>/ (a chapter's calendar; /events/ for International),
/events/e/<id>/ (one event), /events/mine/ and the feeds. The page names after a
chapter path are reserved like the chapters' own (no country slug has these names)."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "events"
urlpatterns = [
    path("e/<uuid:public_id>/", views.detail, name="detail"),
    path("e/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("e/<uuid:public_id>/answer/", views.answer, name="answer"),
    path("e/<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("e/<uuid:public_id>/agenda/", views.agenda, name="agenda"),
    path("e/<uuid:public_id>/agenda/<int:position>/", views.agenda_item, name="agenda_item"),
    path("e/<uuid:public_id>/minutes/", views.minutes, name="minutes"),
    path("e/<uuid:public_id>/minutes/vote/", views.meeting_vote, name="meeting_vote"),
    path("e/<uuid:public_id>/cancel-date/", views.cancel_occurrence, name="cancel_occurrence"),
    path("mine/", views.mine, name="mine"),
    path("mine/reset-feed/", views.reset_feed, name="reset_feed"),
    path("feed/<str:token>.ics", views.member_feed, name="member_feed"),
    path("upcoming.geojson", views.map_data, name="map_data"),
    path("<chapterpath:url_path>new/", views.new, name="new"),
    path("<chapterpath:url_path>settings/", views.chapter_settings, name="settings"),
    path("<chapterpath:url_path>calendar.ics", views.chapter_feed, name="chapter_feed"),
    path("<chapterpath:url_path>", views.chapter_events, name="chapter"),
]
