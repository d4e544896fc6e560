"""Whole pages served from the cache, to signed-out visitors and to members, each with
their own personal parts put in.

Django's `cache_page` cannot serve our pages: every page carries the visitor's own
CSRF token (a shared token would be no protection, and Django will not cache a
response that sets the CSRF cookie), and a member's page their name, unread counts and
buttons. So a page is rendered once with *placeholders* where the personal parts go,
kept for a short while, and each visitor gets it with their own parts put in:

- the CSRF token (every `{% csrf_token %}`: the `csrf_token` of the context is a
  placeholder while the page renders for the cache, see `context`);
- every `{% personal "name" key=value… %}` of the templates (lib/templatetags): a
  *hole*, filled per request by the function registered under that name
  (`register_hole`) from the request and the tag's arguments. Rendered normally (a
  page that is not cached), the tag calls the same function in place, so both ways
  give the same page.

A page's copy is kept per path, language and *variant*: what the page shows that is not
personal but differs between visitors (anonymous; a member who belongs to the chapter
or not, who facilitates it or not…). The view's `variant` function derives it from
what the request already has (the member and their home chapter, loaded with the
user) and says it as a set of `FLAGS`; everything that depends on more than those
flags must be a hole. A page whose variant is None (a signed-in account without a
member profile, say) is always rendered afresh.

Placeholders carry a random nonce chosen for each render, so text that a member wrote
into a page can never be taken for one. Only plain GETs without a query string, not
from htmx, and without pending messages are served this way. A write that must show
at once (a chapter's description, a new facilitator, an announcement) calls `forget`
after its commit, which drops every language and variant of the page; anything else
(member counts, a new sub-chapter) shows within the lifetime
(ANONYMOUS_PAGE_CACHE_SECONDS, MEMBER_PAGE_CACHE_SECONDS).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

# What a page's variant may say about its visitor, beyond "anonymous" (a variant is a
# set of these). Listed so that `forget` can drop every variant of a page at once.
FLAGS = ("member", "active", "staff", "superuser", "belongs", "facilitates")
ANONYMOUS: frozenset[str] = frozenset()

# The hole every `{% csrf_token %}` becomes (context below).
CSRF_HOLE = "csrf"

_RENDERING = "_chapterhouse_page_cache_rendering"

Variant = frozenset[str]
HoleRenderer = Callable[[HttpRequest, Mapping[str, Any]], str]

_holes: dict[str, HoleRenderer] = {}


def register_hole(name: str, render: HoleRenderer) -> None:
    """Fill the hole `name` (`{% personal "name" … %}`) with `render(request, args)`,
    safe HTML for the visitor of `request`. Replaces an earlier registration (an app
    loaded again)."""
    _holes[name] = render


def render_hole(request: HttpRequest, name: str, args: Mapping[str, Any]) -> str:
    """The hole's HTML for this request's visitor."""
    try:
        render = _holes[name]
    except KeyError:
        raise LookupError(f"No page-cache hole is registered as {name!r}.") from None
    return render(request, args)


def template_hole(template_name: str) -> HoleRenderer:
    """A hole that is `template_name` rendered for the request (with the context
    processors: `current_member`, the unread counts…) and the tag's arguments."""

    def render(request: HttpRequest, args: Mapping[str, Any]) -> str:
        return render_to_string(template_name, dict(args), request=request)

    return render


def _csrf(request: HttpRequest, args: Mapping[str, Any]) -> str:
    return get_token(request)


register_hole(CSRF_HOLE, _csrf)


@dataclass
class _Recording:
    """Holes met while a page renders for the cache, each left as a marker."""

    variant: Variant = ANONYMOUS
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    holes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def marker(self, name: str, args: Mapping[str, Any]) -> str:
        # Letters, digits and underscores: HTML escaping leaves it as it is.
        self.holes.append((name, dict(args)))
        return f"__chph_{self.nonce}_{len(self.holes) - 1}__"

    def entry(self, html: str) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
        """The page as text between holes: (texts, holes), with one more text than
        holes; a hole the page met twice (one csrf token in two forms) is filled twice."""
        parts = re.split(rf"__chph_{self.nonce}_(\d+)__", html)
        texts = parts[0::2]
        holes = [self.holes[int(index)] for index in parts[1::2]]
        return texts, holes


def _recording(request: HttpRequest) -> _Recording | None:
    found = getattr(request, _RENDERING, None)
    return found if isinstance(found, _Recording) else None


def hole(request: HttpRequest | None, name: str, args: Mapping[str, Any]) -> SafeString:
    """What `{% personal %}` puts in the page: a marker while it renders for the
    cache, the hole's HTML otherwise."""
    recording = _recording(request) if request is not None else None
    if recording is not None:
        return mark_safe(recording.marker(name, args))  # noqa: S308 - letters, digits, _
    if request is None:
        return mark_safe("")  # noqa: S308 - nothing personal without a request
    return mark_safe(render_hole(request, name, args))  # noqa: S308 - the hole's own HTML


def context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the placeholder for the token while a page renders for the
    cache (listed after Django's own csrf processor, so it wins)."""
    recording = _recording(request)
    return {"csrf_token": recording.marker(CSRF_HOLE, {})} if recording is not None else {}


def _variant_name(variant: Variant) -> str:
    return "anonymous" if not variant else "+".join(flag for flag in FLAGS if flag in variant)


# Bumped whenever an entry's shape changes: while a new release rolls out, its workers
# and the old ones share the cache, and neither may read the other's entries.
ENTRY_FORMAT = 2


def _key(path: str, language: str, variant: Variant = ANONYMOUS) -> str:
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"page:v{ENTRY_FORMAT}:{_variant_name(variant)}:{language}:{digest}"


def _every_variant() -> Iterable[Variant]:
    yield ANONYMOUS
    others = FLAGS[1:]
    for size in range(len(others) + 1):
        for flags in itertools.combinations(others, size):
            yield frozenset(("member", *flags))


def forget(path: str) -> None:
    """Drop the cached copies of the page at `path` (every language and variant)."""
    cache.delete_many([_key(path, code, variant) for code, _name in settings.LANGUAGES
                       for variant in _every_variant()])


def _plain(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and not request.headers.get("HX-Request")
        and not len(messages.get_messages(request))
    )


def _filled(entry: tuple[list[str], list[tuple[str, dict[str, Any]]]],
            request: HttpRequest) -> HttpResponse:
    texts, holes = entry
    parts = [texts[0]]
    for (name, args), text in zip(holes, texts[1:], strict=True):
        parts.append(render_hole(request, name, args))
        parts.append(text)
    return HttpResponse("".join(parts))


def _seconds(variant: Variant) -> int:
    if variant:
        return int(settings.MEMBER_PAGE_CACHE_SECONDS)
    return int(settings.ANONYMOUS_PAGE_CACHE_SECONDS)


def cache_page(
    variant: Callable[..., Collection[str] | None] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's page from the cache (see the module). `variant(request, *args,
    **kwargs)` says what the page shows a signed-in visitor apart from the holes, as
    flags of FLAGS (None: render afresh); without it, only signed-out visitors are
    served from the cache."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _plain(request):
                return view(request, *args, **kwargs)
            if not request.user.is_authenticated:
                found: Variant | None = ANONYMOUS
            elif variant is None:
                found = None
            else:
                flags = variant(request, *args, **kwargs)
                found = None if flags is None else frozenset(flags) | {"member"}
                if found is not None and not found <= set(FLAGS):
                    raise ValueError(f"Unknown page variant flags: {sorted(found - set(FLAGS))}")
            seconds = _seconds(found) if found is not None else 0
            if found is None or not seconds:
                return view(request, *args, **kwargs)
            key = _key(request.path, translation.get_language() or settings.LANGUAGE_CODE,
                       found)
            entry = cache.get(key)
            if entry is not None:
                return _filled(entry, request)
            recording = _Recording(variant=found)
            setattr(request, _RENDERING, recording)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, _RENDERING, None)
            if response.status_code != 200 or getattr(response, "streaming", False):
                return response
            entry = recording.entry(response.content.decode(response.charset or "utf-8"))
            if getattr(request, _UNCACHEABLE, False):
                return _filled(entry, request)
            cache.set(key, entry, seconds)
            return _filled(entry, request)

        return wrapped

    return decorate


_UNCACHEABLE = "_chapterhouse_page_cache_uncacheable"


def rendering_for_cache(request: HttpRequest) -> bool:
    """Whether the page of this request is being rendered for the cache."""
    return _recording(request) is not None


def variant_of(request: HttpRequest) -> Variant | None:
    """The variant the page of this request is being rendered for the cache as (None:
    it is not; empty: for signed-out visitors)."""
    recording = _recording(request)
    return recording.variant if recording is not None else None


def keep_out(request: HttpRequest) -> None:
    """The page being rendered is not to be kept (the view found that it does not
    match its variant): it is served, with its holes filled, and not cached."""
    setattr(request, _UNCACHEABLE, True)


def cache_for_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s page to anonymous visitors from the cache (see the module)."""
    return cache_page()(view)
