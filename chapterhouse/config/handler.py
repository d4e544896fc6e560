"""Django's ASGI handler with the middleware and the views run as one synchronous stack.

Every middleware in settings.MIDDLEWARE and every view is synchronous. Django's own
handler still builds its chain from the async `_get_response_async`, so the innermost
synchronous middleware reaches it through `async_to_sync` and the view is called back
through `sync_to_async`: two thread switches a request that do nothing (about a
millisecond under load, as much as an anonymous page served from the cache takes). Here
the chain is loaded in sync mode, as under WSGI, and entered once, in the request's own
thread as Django's handler gives it (ThreadSensitiveContext). An async view or middleware
added later still works: Django adapts it inside the chain.
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class SyncStackASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = await sync_to_async(
            self.get_response, thread_sensitive=True)(request)
        return response


def sync_stack_asgi_application() -> SyncStackASGIHandler:
    """What django.core.asgi.get_asgi_application gives, with the one synchronous stack."""
    django.setup(set_prefix=False)
    return SyncStackASGIHandler()
