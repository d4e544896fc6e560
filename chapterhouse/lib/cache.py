"""The Redis cache, where Redis down, cut off or hung costs a page at most one short wait.

Pages keep working while Redis is unreachable (QUALITY.md, durability): a read finds
nothing, a write is dropped, and the page is computed as if the cache were empty.
Three things make that true for every kind of failure, not only a refused connection:

- Short socket timeouts (`REDIS_TIMEOUT` in settings): a Redis that accepts the
  connection but never answers is given up on after a fraction of a second, not
  redis-py's default 5 s per call (a page makes several calls: 35–40 s in all).
- A circuit breaker per process and server (`CircuitBreaker`): after one failure,
  Redis is skipped at no cost for `RETRY_AFTER` seconds; then one call probes it
  while the others keep skipping, so a hung Redis costs each process one timeout per
  `RETRY_AFTER` seconds rather than one per call.
- A fallback store for the keys that must keep counting (`FALLBACK` and
  `FALLBACK_KEY_PREFIXES`): allauth's rate limits take a lock with `cache.add`, and a
  store that always answers "not added" refused every sign-in with 429. Those keys
  (allauth's rate limits, DRF's throttles) go to the database cache while Redis is
  unreachable, so sign-in works and the limits still hold across processes.

Writes skipped or failed while Redis was unreachable are remembered, and the probe that
finds Redis back deletes those keys before anything is read from it: a value changed
during the outage is not served stale from before it. Sessions do not rely on this
alone (another process may never have seen the outage): see members.sessions.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
T = TypeVar("T")

# Keys that keep counting in the fallback store while Redis is unreachable:
# allauth's rate limits (and their locks) and DRF's throttles.
RATE_LIMIT_KEY_PREFIXES = ("allauth:rl:", "throttle_")


def version(key: str) -> int:
    """The version number stored at `key` (0 until bumped): part of the cache keys of
    what it covers, so bumping it retires them all at once."""
    found: int = cache.get(key, 0)
    return found


def bump_version(key: str) -> None:
    """Retire everything cached under the current version at `key` (see `version`)."""
    try:
        cache.incr(key)
    except ValueError:
        # Missing (never set, or evicted): start from the clock, so a version
        # number is never reused while something cached under it may live on.
        cache.set(key, time.time_ns(), None)


class Unavailable(Exception):
    """Redis was not asked (the breaker is open) or did not answer in time."""


class CircuitBreaker:
    """Whether to ask a Redis server, shared by every thread of the process.

    Closed, every call goes to Redis. A failed call opens it for `retry_after`
    seconds, in which calls skip Redis. The first call after that is the probe (the
    others keep skipping until it answers): success closes the breaker, failure opens
    it again. Keys whose writes were skipped or failed meanwhile are kept in
    `pending` (at most MAX_PENDING) for the probe to delete.
    """

    MAX_PENDING = 10_000

    def __init__(self, name: str, retry_after: float) -> None:
        self.name = name
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._open_until: float | None = None
        self._pending: set[str] = set()

    @property
    def is_closed(self) -> bool:
        return self._open_until is None

    def may_call(self) -> bool:
        """Whether this call may go to Redis (when open, only the one probe may)."""
        if self._open_until is None:
            return True
        with self._lock:
            if self._open_until is None:
                return True
            now = time.monotonic()
            if now < self._open_until:
                return False
            self._open_until = now + self.retry_after  # this call probes; others skip
            return True

    def succeeded(self) -> None:
        if self._open_until is not None:
            with self._lock:
                if self._open_until is not None:
                    self._open_until = None
                    logger.warning("Redis %s answers again", self.name)

    def failed(self, what: str, error: Exception) -> None:
        with self._lock:
            if self._open_until is None:
                logger.warning(
                    "Redis %s unreachable (%s: %r): skipped for %s s",
                    self.name, what, error, self.retry_after,
                )
            self._open_until = time.monotonic() + self.retry_after

    def remember(self, keys: Iterable[str]) -> None:
        """Keys whose value in Redis may now be stale, to delete when it is back."""
        keys = list(keys)
        if not keys:
            return
        with self._lock:
            room = self.MAX_PENDING - len(self._pending)
            if len(keys) > room:
                logger.error(
                    "Redis %s: more than %s stale keys to forget; some may be served "
                    "until they expire", self.name, self.MAX_PENDING,
                )
            self._pending.update(keys[: max(room, 0)])

    def take_pending(self) -> list[str]:
        if not self._pending:
            return []
        with self._lock:
            keys = list(self._pending)
            self._pending.clear()
            return keys


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, retry_after: float = 5.0) -> CircuitBreaker:
    """The process's breaker for the Redis at `location` (one per server, shared by
    the cache of every thread and by the channel layer's senders)."""
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = CircuitBreaker(location, retry_after)
        return breaker


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache, forgiving (see the module). Extra settings next to
    `LOCATION`: `RETRY_AFTER` (seconds), `FALLBACK` (a cache alias) and
    `FALLBACK_KEY_PREFIXES` (the keys that go to it while Redis is unreachable)."""

    # Django's, untyped in django-stubs (annotations only: the attributes stay Django's).
    # The client is Any: its stub types timeouts narrower than RedisCache passes them.
    _servers: list[str]
    _cache: Any

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._breaker = breaker_for(
            ",".join(self._servers), float(params.get("RETRY_AFTER", 5.0))
        )
        self._fallback_alias: str | None = params.get("FALLBACK")
        self._fallback_prefixes = tuple(
            params.get("FALLBACK_KEY_PREFIXES", RATE_LIMIT_KEY_PREFIXES)
        )

    def _ask(self, what: str, call: Callable[[], T], written: Iterable[str] = ()) -> T:
        """`call()` answered by Redis, or Unavailable."""
        breaker = self._breaker
        if not breaker.may_call():
            breaker.remember(written)
            raise Unavailable
        stale = breaker.take_pending()
        try:
            if stale:
                self._cache.delete_many(stale)
            result = call()
        except UNREACHABLE as error:
            breaker.remember(stale)
            breaker.remember(written)
            breaker.failed(what, error)
            raise Unavailable from error
        breaker.succeeded()
        return result

    def _fallback(self, key: str) -> BaseCache | None:
        """The store that keeps `key` while Redis is unreachable, if any."""
        if self._fallback_alias and key.startswith(self._fallback_prefixes):
            return caches[self._fallback_alias]
        return None

    def _split(self, keys: Iterable[str]) -> tuple[BaseCache | None, list[str]]:
        """The fallback store and the keys of `keys` it keeps."""
        kept = [key for key in keys if self._fallback(key) is not None]
        return (caches[self._fallback_alias] if kept and self._fallback_alias else None), kept

    def _timeout(self, timeout: Any) -> Any:
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        made = self.make_and_validate_key(key, version=version)
        try:
            return bool(self._ask(
                "add", lambda: self._cache.add(made, value, self.get_backend_timeout(timeout))
            ))
        except Unavailable:
            store = self._fallback(key)
            return bool(store.add(key, value, self._timeout(timeout), version)) if store else False

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        try:
            return self._ask("get", lambda: self._cache.get(made, default))
        except Unavailable:
            store = self._fallback(key)
            return store.get(key, default, version) if store else default

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        made = self.make_and_validate_key(key, version=version)
        try:
            self._ask(
                "set",
                lambda: self._cache.set(made, value, self.get_backend_timeout(timeout)),
                written=[made],
            )
        except Unavailable:
            store = self._fallback(key)
            if store:
                store.set(key, value, self._timeout(timeout), version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        try:
            return bool(self._ask(
                "touch", lambda: self._cache.touch(made, self.get_backend_timeout(timeout))
            ))
        except Unavailable:
            store = self._fallback(key)
            return bool(store.touch(key, self._timeout(timeout), version)) if store else False

    def delete(self, key: Any, version: Any = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        try:
            return bool(self._ask("delete", lambda: self._cache.delete(made), written=[made]))
        except Unavailable:
            store = self._fallback(key)
            return bool(store.delete(key, version)) if store else False

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        keys = list(keys)
        made = {self.make_and_validate_key(key, version=version): key for key in keys}
        try:
            found = self._ask("get_many", lambda: self._cache.get_many(made.keys()))
        except Unavailable:
            store, kept = self._split(keys)
            return store.get_many(kept, version) if store else {}
        return {made[key]: value for key, value in found.items()}

    def has_key(self, key: Any, version: Any = None) -> bool:
        made = self.make_and_validate_key(key, version=version)
        try:
            return bool(self._ask("has_key", lambda: self._cache.has_key(made)))
        except Unavailable:
            store = self._fallback(key)
            return bool(store.has_key(key, version)) if store else False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        made = self.make_and_validate_key(key, version=version)
        try:
            value = int(self._ask("incr", lambda: self._cache.incr(made, delta), written=[made]))
        except Unavailable:
            store = self._fallback(key)
            if store:
                return int(store.incr(key, delta, version))
            raise ValueError(f"Key {key!r} not found (Redis unreachable)") from None
        return value

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        if not data:
            return []
        made = {
            self.make_and_validate_key(key, version=version): value for key, value in data.items()
        }
        try:
            self._ask(
                "set_many",
                lambda: self._cache.set_many(made, self.get_backend_timeout(timeout)),
                written=made.keys(),
            )
        except Unavailable:
            store, kept = self._split(data)
            if store:
                store.set_many({key: data[key] for key in kept}, self._timeout(timeout), version)
        return []

    def delete_many(self, keys: Any, version: Any = None) -> None:
        keys = list(keys)
        if not keys:
            return
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        try:
            self._ask("delete_many", lambda: self._cache.delete_many(made), written=made)
        except Unavailable:
            store, kept = self._split(keys)
            if store:
                store.delete_many(kept, version)

    def clear(self) -> None:
        with contextlib.suppress(Unavailable):
            self._ask("clear", self._cache.clear)
