"""The API's docs page (Swagger UI), imported by its first request (api/urls.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response


class SwaggerDocs(SpectacularSwaggerSplitView):
    """Swagger UI under our CSP: no inline script or style, every asset from /static/.

    The page loads its start-up script from this same URL with `?script`; that
    script carries the CSRF token, so other sites may not load it.
    """

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if "script" in request.GET and request.headers.get("Sec-Fetch-Site") == "cross-site":
            raise PermissionDenied
        # drf-spectacular leaves its views' get() unannotated.
        response: Response = super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call]
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
