"""URL patterns whose views are imported on their first request, not when the URLconf
is loaded.

Every app worker loads the whole URLconf on its first request (reversing any name
does), so a view module imported there is imported by every worker. Two rarely used
sets of views import cryptography's Rust bindings (~8 MB) and more: allauth's
two-factor pages (its WebAuthn flows and fido2, ~11 MB in all, even with WebAuthn
off) and Anymail's webhooks (Postal's signatures); the REST API's modules, with
Django REST framework's serializers and drf-spectacular, are ~10 MB more. `lazy_view`
and `lazy_include` keep them out of a worker that does not serve them
(chapterhouse/tests/test_memory.py checks which modules the pages load).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from django.utils.translation import get_language

View = Callable[..., Any]


def _imported(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


def lazy_view(dotted: str, **initkwargs: Any) -> View:
    """The view at `dotted` ("package.module.name"), imported on its first request; a
    class-based view (with `as_view`) is made with `initkwargs`.

    For views that take no CSRF exemption: the middleware reads `csrf_exempt` from the
    URLconf's callable, before the view is imported."""

    @cache  # two first requests at once both import it: harmless, the same module
    def target() -> View:
        found = _imported(dotted)
        view: View = found.as_view(**initkwargs) if hasattr(found, "as_view") else found
        return view

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = target()(request, *args, **kwargs)
        return response

    view.__name__ = view.__qualname__ = dotted.rpartition(".")[2]
    view.__module__ = dotted.rpartition(".")[0]
    view.__doc__ = f"{dotted}, imported on the first request."
    return view


class _LazyResolver(URLResolver):
    """A namespaced URLResolver that imports its URLconf when a URL is resolved or a
    name reversed through it, not when the root URLconf is populated.

    Django's root resolver calls `_populate()` on every resolver below it when it first
    reverses a name; for a namespaced one it then reads only its namespace, so that
    call can wait. Reversing in the namespace reads `reverse_dict` (or the other
    dictionaries), which populate it then; resolving reads `url_patterns`, which
    imports the module."""

    def _populate(self) -> None:
        return  # the root's call: nothing to add to its names (see the class)

    def _load(self) -> None:
        if get_language() not in self._reverse_dict:
            super()._populate()

    @property
    def reverse_dict(self) -> Any:
        self._load()
        return super().reverse_dict

    @property
    def namespace_dict(self) -> Any:
        self._load()
        return super().namespace_dict

    @property
    def app_dict(self) -> Any:
        self._load()
        return super().app_dict

    def _is_callback(self, name: str) -> bool:
        self._load()
        return super()._is_callback(name)


def lazy_include(route: str, urlconf: str, *, namespace: str) -> URLResolver:
    """`path(route, include(urlconf, namespace=namespace))`, with the module `urlconf`
    imported by the first request under `route` or the first name reversed in
    `namespace`. It needs a namespace: the root URLconf merges the names of a resolver
    without one when it loads."""
    return _LazyResolver(RoutePattern(route, is_endpoint=False), urlconf,
                         app_name=namespace, namespace=namespace)
