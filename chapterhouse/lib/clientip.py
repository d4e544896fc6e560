"""The address a request comes from, for rate limits and throttles.

`X-Forwarded-For` is written by whoever sends the request: trusting it lets a client
pick a new address for every attempt. It is read only when the site says it runs
behind proxies (`BEHIND_PROXY`), and then only the address the outermost of our
`TRUSTED_PROXY_COUNT` proxies saw: each proxy appends the address it received the
request from, so the entries further left are the client's own words.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxy_count() -> int:
    """How many proxies of ours stand in front of the app (0: none, trust no header)."""
    if not getattr(settings, "BEHIND_PROXY", False):
        return 0
    return max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 1)), 0)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the connection's, or the one our own proxies vouch for."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = trusted_proxy_count()
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            candidate = hops[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass  # not an address: our proxy did not write it; use the connection's
    return remote
