"""A chapter's projects and working groups, under its address: /c/<path>/projects/
(included before chapters.urls, whose `chapterpath` would otherwise take the whole
path). The chapter navigation's "Projects" section is `projects:chapter`."""

from django.urls import path

# Registers the `chapterpath` converter (chapters.urls owns it).
from chapterhouse.chapters import urls as _chapter_urls  # noqa: F401

from . import views

app_name = "projects"
_group = "c/<chapterpath:url_path>projects/<slug:slug>/"
urlpatterns = [
    path("c/<chapterpath:url_path>projects/", views.chapter_groups, name="chapter"),
    path("c/<chapterpath:url_path>projects/new/", views.new, name="new"),
    path(_group, views.group_page, name="group"),
    path(_group + "edit/", views.edit, name="edit"),
    path(_group + "join/", views.join, name="join"),
    path(_group + "leave/", views.leave, name="leave"),
    path(_group + "accept/", views.accept, name="accept"),
    path(_group + "decline/", views.decline, name="decline"),
    path(_group + "coordinators/", views.add_coordinator, name="add_coordinator"),
    path(_group + "tasks/", views.add_task, name="add_task"),
    path(_group + "tasks/<uuid:task_id>/status/", views.task_status, name="task_status"),
    path(_group + "tasks/<uuid:task_id>/assign/", views.task_assign, name="task_assign"),
]
