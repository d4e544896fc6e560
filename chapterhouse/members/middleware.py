"""Presence (a member is online while their requests keep arriving), and the
authentication middleware that holds a logout whatever the cache does."""

from collections.abc import Callable
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from chapterhouse.lib.rawsql import Prepared

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
            member = getattr(user, "member", None)
            member_id = getattr(member, "pk", None)
            # The member came with the user (`_user_of`): seen within the minute, nothing
            # to ask (no cache call on most requests); else the cache key lets one
            # request of the minute write.
            last_seen = getattr(member, "last_seen", None)
            if last_seen is not None and (timezone.now() - last_seen).total_seconds() < \
                    TOUCH_EVERY_SECONDS:
                return response
            if member_id and cache.add(f"presence:{member_id}", 1, TOUCH_EVERY_SECONDS):
                services.touch_last_seen(member_id=member_id)
        return response


# Every signed-in request asks this: the SQL is built once (lib.rawsql.Prepared).
_USER_WITH_MEMBER = Prepared(lambda user_id: get_user_model()._default_manager
                             .select_related("member__home_chapter").filter(pk=user_id))


def _user_of(request: HttpRequest) -> Any:
    """Django's `auth.get_user`, with the member and their home chapter loaded in the
    same query, when the session's backend loads users as Django's ModelBackend does:
    one query rather than three (every page shows the member, and the cached pages
    choose their copy by the home chapter, lib.pagecache). Any other backend: Django's
    own. The session is checked as Django 5.2 checks it (`_session_verified`)."""
    try:
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return auth.get_user(request)
    found = _USER_WITH_MEMBER(user_id)
    user = found[0] if found else None
    if user is None or not backend.user_can_authenticate(user):
        return AnonymousUser()
    return user if _session_verified(request, user) else AnonymousUser()


def _session_verified(request: HttpRequest, user: Any) -> bool:
    """Whether the session's hash is the account's (its password unchanged), as
    `django.contrib.auth.get_user` decides: a hash made with a fallback secret is
    renewed; a wrong or missing one ends the session."""
    session_hash = request.session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return True
    if session_hash and any(constant_time_compare(session_hash, fallback)
                            for fallback in user.get_session_auth_fallback_hash()):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = session_auth_hash
        return True
    request.session.flush()
    return False


def _checked_user(request: HttpRequest) -> Any:
    """Django's user of the request, unless its session is a cached copy that a logout
    left behind (members.sessions): then nobody, and the copy is dropped."""
    if not hasattr(request, "_checked_user"):
        user = request._cached_user = _user_of(request)  # type: ignore[attr-defined]
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
