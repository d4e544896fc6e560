from django.urls import path

from . import views

app_name = "chapters"
urlpatterns = [
    path("", views.international, name="international"),
    path("mine/", views.mine, name="mine"),
    path("map/", views.world_map, name="map"),
    path("<path:url_path>/", views.detail, name="detail"),
]
