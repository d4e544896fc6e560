"""Presence: a member is online while their requests keep arriving."""

from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from . import services

# At most one write per member per minute, however many requests they make.
TOUCH_EVERY_SECONDS = 60


class PresenceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            member_id = getattr(getattr(user, "member", None), "pk", None)
            if member_id and cache.add(f"presence:{member_id}", 1, TOUCH_EVERY_SECONDS):
                services.touch_last_seen(member_id=member_id)
        return response
