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
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from .cache import UNREACHABLE, breaker_for

logger = logging.getLogger(__name__)

# The event that closes every open socket of an account (deactivated or deleted): each
# consumer of a signed-in member joins account_group(user id) and closes on it.
ACCOUNT_CLOSED = "account.closed"


def account_group(user_id: int) -> str:
    """The channel-layer group of every open socket of one login."""
    return f"account.{user_id}"


def layer_is_shared(layer: Any = None) -> bool:
    """Whether the channel layer reaches other processes (Redis) or only this one (the
    in-memory layer: a push from the task worker never reaches the web process)."""
    layer = layer if layer is not None else get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


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


def broadcast_each(messages: list[tuple[str, dict[str, Any]]]) -> int:
    """Send each (group, message), in one trip to the event loop (broadcast's timeout
    and circuit breaker for the whole); returns how many were sent."""
    layer = get_channel_layer()
    if layer is None or not messages or _in_event_loop():
        return 0
    redis_url = getattr(settings, "REDIS_URL", "")
    breaker = breaker_for(redis_url, settings.REDIS_RETRY_AFTER) if redis_url else None
    if breaker is not None and not breaker.may_call():
        return 0
    sent = 0

    async def send() -> None:
        nonlocal sent
        for group, message in messages:
            await layer.group_send(group, message)
            sent += 1

    async def bounded() -> None:
        await asyncio.wait_for(send(), settings.REDIS_TIMEOUT)

    try:
        async_to_sync(bounded)()
    except (TimeoutError, *UNREACHABLE) as error:
        if breaker is not None:
            breaker.failed("group_send", error)
        else:
            logger.warning("Channel layer unreachable: %s of %s sent (%s)", sent,
                           len(messages), error)
        return sent
    if breaker is not None:
        breaker.succeeded()
    return sent


def _in_event_loop() -> bool:
    """Whether this thread runs an event loop (synchronous code called from async code
    without sync_to_async, as a Playwright test's body is): async_to_sync cannot wait
    there, so the push is skipped (it is a courtesy; what it says is stored)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    logger.debug("Not pushed from inside a running event loop")
    return True
