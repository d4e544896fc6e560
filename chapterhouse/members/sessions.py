"""Sessions kept in the database and read through the cache, where signing out holds
whatever the cache does (`SESSION_ENGINE` when Redis is configured).

Django's `cached_db` trusts a cached copy without asking the database, so a copy can
outlive its row: a logout whose cache delete did not reach Redis (cut off, down,
hung), or a Redis restarted from a snapshot taken before the logout, brought a
signed-out session back for the 14 days of its cache entry. Here:

- every cached copy carries the time its data was read from, or written to, the
  database (`CACHED_AT`, never part of the session's own data);
- a logout (any flush of a signed-in session) stamps the account's
  `User.sessions_fenced_at` (one UPDATE, `services.fence_sessions`);
- a request whose session came from the cache, of an account stamped after the copy
  was made, asks the database once whether the session still exists
  (`still_signed_in`, called by `middleware.AuthenticationMiddleware`): gone, it is
  signed out; there, the copy is made again from the row with a fresh time.

The account's row is read by every signed-in request anyway, so the check costs no
query until a logout, then one SELECT for each of the account's other sessions, once.
A password change needs none of this: Django checks each session's password hash
against the account's row, which never comes from the cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.models import Session
from django.core.cache.backends.base import BaseCache

from . import services

logger = logging.getLogger(__name__)

CACHED_AT = "_chapterhouse_cached_at"
# Copies made up to this long after a logout are checked too: a request that read the
# row just before the logout may write its copy just after, and the app servers'
# clocks (kept by NTP) differ by less than this.
CLOCK_MARGIN = timedelta(seconds=2)


class SessionStore(cached_db.SessionStore):
    # Django's, untyped in django-stubs (annotations only: the attributes stay Django's).
    _cache: BaseCache
    _session: dict[str, Any]
    _get_session_from_db: Callable[[], Session | None]

    # When the copy this request read from the cache was read from the database (a
    # Unix time); None when the session was read from the database itself.
    cached_at: float | None = None

    def _cache_copy(self, data: dict[str, Any], made_at: float, expiry_age: int) -> None:
        try:
            self._cache.set(self.cache_key, {**data, CACHED_AT: made_at}, expiry_age)
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)

    def load(self) -> dict[str, Any]:
        read_at = time.time()
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None  # an invalid key, as cached_db: read the database
        if isinstance(data, dict):
            data = dict(data)
            # A copy without the time (made before this store) is checked like an old one.
            self.cached_at = float(data.pop(CACHED_AT, 0.0))
            return data
        self.cached_at = None
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._cache_copy(data, read_at, self.get_expiry_age(expiry=row.expire_date))
        return data

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()  # which saves with must_create=True
        written_at = time.time()
        DBStore.save(self, must_create)  # the row; the copy as below, with its time
        self._cache_copy(self._session, written_at, self.get_expiry_age())

    def flush(self) -> None:
        """Sign out: the row and the copy go, and the account is stamped, so that a copy
        the cache kept anyway is checked before it is trusted."""
        user_id = self.get(SESSION_KEY) if self.session_key is not None else None
        super().flush()
        if user_id is not None:
            services.fence_sessions(user_id=int(user_id))

    def discard(self) -> None:
        """Forget a session found dead by `confirm`: a new empty one, no stamp."""
        self.clear()
        self._session_key = None

    def confirm(self, user: Any) -> bool:
        """Whether the database still holds this session, for `user` (whose account
        was stamped after this copy was made). Yes: the copy is made again from the
        row, good for that stamp. No: the copy is deleted."""
        session_key = self.session_key
        row = self._get_session_from_db()  # (forgets the key when there is no row)
        data = self.decode(row.session_data) if row is not None else {}
        if row is None or str(data.get(SESSION_KEY)) != str(user.pk):
            self._cache.delete(self.cache_key_prefix + str(session_key))
            return False
        self._session_cache = data
        self.cached_at = None
        # Read after the stamp was seen, so good for it and for nothing later.
        good_for = user.sessions_fenced_at.timestamp() + CLOCK_MARGIN.total_seconds()
        self._cache_copy(data, good_for, self.get_expiry_age(expiry=row.expire_date))
        return True

    # The async API (channels, async views) goes through the same checks.
    async def aload(self) -> dict[str, Any]:
        return await sync_to_async(self.load)()

    async def asave(self, must_create: bool = False) -> None:
        await sync_to_async(self.save)(must_create)

    async def aflush(self) -> None:
        await sync_to_async(self.flush)()


def still_signed_in(session: SessionBase, user: Any) -> bool:
    """Whether `user`'s `session` survived every logout of the account (see the module).
    Free unless the session was read from the cache and the account has signed out
    since the copy was made: then one SELECT."""
    cached_at = getattr(session, "cached_at", None)
    fenced_at = getattr(user, "sessions_fenced_at", None)
    if cached_at is None or fenced_at is None:
        return True
    if cached_at >= (fenced_at + CLOCK_MARGIN).timestamp():
        return True
    assert isinstance(session, SessionStore)
    return session.confirm(user)
