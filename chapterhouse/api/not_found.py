"""A JSON 404 for any address under /api/v1/ that names no endpoint (a malformed id,
a mistyped path), as the API's other answers are JSON; the site's HTML 404 page is
for browsers."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # it changes nothing; a POST to a wrong address gets this 404, not a CSRF page
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse({"detail": _("Not found.")}, status=404)
