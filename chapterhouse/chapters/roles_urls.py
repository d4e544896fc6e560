"""The signed-in member's chapter roles and invitations, at /me/roles/ (namespace "roles")."""

from django.urls import path

from . import views

app_name = "roles"
urlpatterns = [
    path("", views.my_roles, name="mine"),
]
