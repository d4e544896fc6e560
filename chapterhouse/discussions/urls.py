from django.urls import path

from . import views

app_name = "discussions"
urlpatterns = [
    path("mentions/", views.mention_search, name="mentions"),
    path("posts/<uuid:public_id>/", views.post_permalink, name="post"),
    path("posts/<uuid:public_id>/edit/", views.edit_post, name="edit_post"),
    path("posts/<uuid:public_id>/history/", views.post_history, name="post_history"),
    path("<uuid:public_id>/", views.thread_detail, name="thread"),
    path("<uuid:public_id>/reply/", views.reply, name="reply"),
    path("<uuid:public_id>/lock/", views.lock, name="lock"),
    path("<uuid:public_id>/read/", views.mark_read, name="mark_read"),
    path("<uuid:public_id>/level/", views.thread_level, name="level"),
]
