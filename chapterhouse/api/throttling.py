"""DRF's throttles, keyed by the client's real address (lib.clientip), never by an
X-Forwarded-For the client wrote itself."""

from __future__ import annotations

from typing import Any

from rest_framework import throttling
from rest_framework.request import Request

from chapterhouse.lib.clientip import client_ip


class ByClientAddress:
    def get_ident(self, request: Request) -> str:
        return client_ip(request._request)


class AnonRateThrottle(ByClientAddress, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ByClientAddress, throttling.UserRateThrottle):
    pass


class TokenPerAddressThrottle(ByClientAddress, throttling.SimpleRateThrottle):
    """Token requests per client IP address."""

    scope = "token_ip"
    rate = "10/min"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenPerAccountThrottle(throttling.SimpleRateThrottle):
    """Token requests per email address, whoever sends them (guessing one password)."""

    scope = "token_account"
    rate = "5/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}
