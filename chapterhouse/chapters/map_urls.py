"""The world map of chapters, at /map/ (namespace "map")."""

from django.urls import path

from . import views

app_name = "map"
urlpatterns = [
    path("", views.world_map, name="index"),
    path("chapters.geojson", views.geojson, name="geojson"),
]
