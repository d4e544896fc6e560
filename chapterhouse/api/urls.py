"""The REST API: OpenAPI schema and docs, and version 1 under /api/v1/ (v1_urls.py).

Each is imported by its first request (lib.lazyurls): Django REST framework,
drf-spectacular and the apps' api modules are ~10 MB that a worker serving only
pages does without.
"""

from django.urls import path

from chapterhouse.lib.lazyurls import lazy_include, lazy_view

urlpatterns = [
    path("schema/", lazy_view("drf_spectacular.views.SpectacularAPIView"), name="schema"),
    path("docs/", lazy_view("chapterhouse.api.docs.SwaggerDocs", url_name="schema"),
         name="swagger-ui"),
    lazy_include("v1/", "chapterhouse.api.v1_urls", namespace="v1"),
]
