from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("regions/", views.region_options, name="regions"),
    path("cities/", views.city_suggestions, name="cities"),
]
