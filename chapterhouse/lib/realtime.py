"""Pushing to the channel layer from a request, never waiting on Redis for long.

A push from a page (call it after commit: `transaction.on_commit`) is a courtesy to
open sockets; what it says is stored already, and a client that reconnects fetches
it. So a push must not hold the page: it waits at most `REDIS_TIMEOUT` seconds, is
skipped while the cache's circuit breaker for the same Redis is open (lib.cache), and
a failure is logged, never raised.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from .cache import UNREACHABLE, breaker_for

logger = logging.getLogger(__name__)


def broadcast(group: str, message: dict[str, Any]) -> bool:
    """Send `message` to the channel-layer `group`: whether it was sent."""
    layer = get_channel_layer()
    if layer is None:
        return False
    redis_url = getattr(settings, "REDIS_URL", "")
    breaker = breaker_for(redis_url, settings.REDIS_RETRY_AFTER) if redis_url else None
    if breaker is not None and not breaker.may_call():
        return False

    async def send() -> None:
        await asyncio.wait_for(layer.group_send(group, message), settings.REDIS_TIMEOUT)

    try:
        async_to_sync(send)()
    except RuntimeError as error:
        # Called in a thread that runs an event loop (async code calling a service
        # without sync_to_async): a bug to fix there, but never a failed page here.
        logger.warning("Channel layer: %s not sent from an event loop's thread (%s)",
                       group, error)
        return False
    except (TimeoutError, *UNREACHABLE) as error:
        if breaker is not None:
            breaker.failed("group_send", error)
        else:
            logger.warning("Channel layer unreachable: %s not sent (%s)", group, error)
        return False
    if breaker is not None:
        breaker.succeeded()
    return True
