"""Whole pages for anonymous visitors, served from the cache.

Django's `cache_page` cannot serve our pages: every page carries the language
form's CSRF token, which must be the visitor's own (a shared token would be no
protection, and Django will not cache a response that sets the CSRF cookie). So a
page is rendered once with a placeholder where the token goes, kept for
ANONYMOUS_PAGE_CACHE_SECONDS, and each visitor gets it with their own token put in.

Only plain GETs of signed-out visitors without pending messages are served this way,
one entry per path and language. Members always get a fresh page. A write that must
show at once (a chapter's description) calls `forget`; anything else (member counts,
a new sub-chapter) shows within the lifetime.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

# Letters and underscores only: HTML escaping leaves it as it is.
CSRF_PLACEHOLDER = "__chapterhouse_page_cache_csrf_token__"
_RENDERING = "_chapterhouse_page_cache_rendering"


def _key(path: str, language: str) -> str:
    return f"page:anonymous:{language}:{hashlib.sha256(path.encode()).hexdigest()}"


def forget(path: str) -> None:
    """Drop the cached copies of the page at `path` (every language)."""
    cache.delete_many([_key(path, code) for code, _name in settings.LANGUAGES])


def context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the placeholder for the token while a page renders for the
    cache (listed after Django's own csrf processor, so it wins)."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, _RENDERING, False) else {}


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and not request.user.is_authenticated
        and not request.headers.get("HX-Request")
        and not len(messages.get_messages(request))
    )


def _with_token(html: str, request: HttpRequest) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def cache_for_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s page to anonymous visitors from the cache (see the module)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        if not seconds or not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request.path, translation.get_language() or settings.LANGUAGE_CODE)
        html = cache.get(key)
        if html is not None:
            return _with_token(html, request)
        setattr(request, _RENDERING, True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            setattr(request, _RENDERING, False)
        if response.status_code != 200 or getattr(response, "streaming", False):
            return response
        html = response.content.decode(response.charset or "utf-8")
        cache.set(key, html, seconds)
        return _with_token(html, request)

    return wrapped
