"""The API's token authentication over `members.ApiToken` (`Authorization: Token <key>`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken

# `last_used_at` is written at most this often per token (one UPDATE, not one per request).
LAST_USED_PRECISION_SECONDS = 300


class ApiTokenAuthentication(TokenAuthentication):
    """A live token of an active user whose password is still the one it was made under."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(key))
            .first()
        )
        now = timezone.now()
        if (
            token is None
            or token.expires_at <= now
            or not token.user.is_active
            or not constant_time_compare(token.password_hash, token.user.get_session_auth_hash())
        ):
            raise AuthenticationFailed(_("Invalid or expired token."))
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > LAST_USED_PRECISION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
