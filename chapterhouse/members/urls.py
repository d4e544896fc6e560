from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.home, name="home"),
    path("m/search/", views.search, name="search"),
    path("m/<uuid:public_id>/", views.profile, name="profile"),
    path("me/edit/", views.edit_profile, name="edit_profile"),
    path("me/avatar/", views.avatar, name="avatar"),
    path("me/location/", views.location, name="location"),
    path("me/export/", views.export, name="export"),
    path("me/delete/", views.delete, name="delete"),
]
