"""The Redis cache, where Redis being unreachable is a cache miss rather than an error.

Pages keep working while Redis is down (QUALITY.md, durability): a read finds nothing,
a write is dropped, and the page is computed as if the cache were empty.
"""

import logging
import time
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
T = TypeVar("T")


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


class ForgivingRedisCacheClient(RedisCacheClient):
    def _missing(self, what: str, value: T) -> T:
        logger.warning("Redis unreachable: cache %s skipped", what)
        return value

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        try:
            return super().add(key, value, timeout)
        except UNREACHABLE:
            return self._missing("add", False)

    def get(self, key: Any, default: Any) -> Any:
        try:
            return super().get(key, default)
        except UNREACHABLE:
            return self._missing("get", default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        try:
            super().set(key, value, timeout)
        except UNREACHABLE:
            self._missing("set", None)

    def touch(self, key: Any, timeout: Any) -> bool:
        try:
            return super().touch(key, timeout)
        except UNREACHABLE:
            return self._missing("touch", False)

    def delete(self, key: Any) -> bool:
        try:
            return super().delete(key)
        except UNREACHABLE:
            return self._missing("delete", False)

    def get_many(self, keys: Any) -> dict[Any, Any]:
        try:
            return super().get_many(keys)
        except UNREACHABLE:
            return self._missing("get_many", {})

    def has_key(self, key: Any) -> bool:
        try:
            return super().has_key(key)
        except UNREACHABLE:
            return self._missing("has_key", False)

    def incr(self, key: Any, delta: int) -> int:
        try:
            value: int = super().incr(key, delta)
            return value
        except UNREACHABLE:
            self._missing("incr", None)
            raise ValueError(f"Key {key!r} not found (Redis unreachable)") from None

    def set_many(self, data: Any, timeout: Any) -> None:
        try:
            super().set_many(data, timeout)
        except UNREACHABLE:
            self._missing("set_many", None)

    def delete_many(self, keys: Any) -> None:
        try:
            super().delete_many(keys)
        except UNREACHABLE:
            self._missing("delete_many", None)

    def clear(self) -> bool:
        try:
            return super().clear()
        except UNREACHABLE:
            return self._missing("clear", False)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
