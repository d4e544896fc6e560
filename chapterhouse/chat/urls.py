from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_room, name="new"),
    path("<uuid:public_id>/", views.room, name="room"),
    path("<uuid:public_id>/post/", views.post, name="post"),
    path("<uuid:public_id>/join/", views.join, name="join"),
    path("<uuid:public_id>/leave/", views.leave, name="leave"),
    path("<uuid:public_id>/invite/", views.invite, name="invite"),
    path("<uuid:public_id>/messages/<uuid:message_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/messages/<uuid:message_id>/delete/", views.delete, name="delete"),
    path("<uuid:public_id>/messages/<uuid:message_id>/hide/", views.hide, name="hide"),
]
