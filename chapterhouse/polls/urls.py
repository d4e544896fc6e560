"""Polls and surveys under each chapter's address, /c/<path>/polls/ (included before
chapters.urls; "polls" is a reserved chapter slug), and a survey's public page at
/survey/<secret>/."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "polls"
urlpatterns = [
    path("survey/<str:token>/", views.public_survey, name="public"),
    path("survey/<str:token>/results/", views.public_results, name="public_results"),
    path("c/<chapterpath:url_path>polls/", views.chapter, name="chapter"),
    path("c/<chapterpath:url_path>polls/new/", views.new_poll, name="new_poll"),
    path("c/<chapterpath:url_path>polls/new-survey/", views.new_survey, name="new_survey"),
    path("c/<chapterpath:url_path>polls/<uuid:public_id>/", views.detail, name="detail"),
    path("c/<chapterpath:url_path>polls/<uuid:public_id>/answer/", views.answer,
         name="answer"),
    path("c/<chapterpath:url_path>polls/<uuid:public_id>/close/", views.close, name="close"),
    path("c/<chapterpath:url_path>polls/<uuid:public_id>/answers.csv", views.export,
         name="export"),
    path("c/<chapterpath:url_path>polls/<uuid:public_id>/proposal/", views.make_proposal,
         name="make_proposal"),
]
