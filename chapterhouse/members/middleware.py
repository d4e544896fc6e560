"""Presence (a member is online while their requests keep arriving), and the
authentication middleware that holds a logout whatever the cache does."""

from collections.abc import Callable
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from . import services
from .sessions import still_signed_in

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


def _checked_user(request: HttpRequest) -> Any:
    """Django's user of the request, unless its session is a cached copy that a logout
    left behind (members.sessions): then nobody, and the copy is dropped."""
    if not hasattr(request, "_checked_user"):
        user = auth_middleware.get_user(request)
        if user.is_authenticated and not still_signed_in(request.session, user):
            discard = getattr(request.session, "discard", request.session.flush)
            discard()
            user = request._cached_user = AnonymousUser()  # type: ignore[attr-defined]
        request._checked_user = user  # type: ignore[attr-defined]
    return request._checked_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with each signed-in session checked by `members.sessions.still_signed_in`
    (no query, except once per session after a logout of its account)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _checked_user(request))  # type: ignore[assignment]
        request.auser = partial(sync_to_async(_checked_user), request)
