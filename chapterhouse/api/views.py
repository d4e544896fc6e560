"""API endpoints that belong to no domain app: obtaining a token (the docs page: docs.py)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.members.services import issue_api_token

from .serializers import TokenRequestSerializer
from .throttling import TokenPerAccountThrottle, TokenPerAddressThrottle


@extend_schema(
    request=TokenRequestSerializer,
    responses={200: inline_serializer("TokenResponse", {
        "token": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
    })},
    auth=[],
    tags=["auth"],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([TokenPerAddressThrottle, TokenPerAccountThrottle])
def obtain_token(request: Request) -> Response:
    """Exchange your email and password for a new API token (`Authorization: Token <key>`).

    Each request makes a new token, shown only now. It expires at `expires_at`, and
    ends earlier when you revoke it in your account settings, change or reset your
    password, or add a second factor. The same answer is given for an unknown email
    and a wrong password; failed attempts count with those of the web login, per
    account and per address. The address must be verified, and an account with
    two-factor authentication must send its `code`, as for signing in.
    """
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        # allauth's own login path: its failure counter (per account and per address)
        # is the web login's, so the two cannot be used to double the guesses.
        user = get_adapter(request._request).authenticate(
            request._request,
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
    except DjangoValidationError as error:
        raise Throttled(detail=" ".join(error.messages)) from error
    if user is None or not user.is_active:
        raise ValidationError({"non_field_errors": [_("The email or password is not right.")]})
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise ValidationError(
            {"non_field_errors": [_("Verify your email address first, then ask again.")]}
        )
    if is_mfa_enabled(user) and not _second_factor_ok(user, serializer.validated_data.get("code")):
        raise ValidationError(
            {"code": [_("Enter the code from your authenticator app, or a recovery code.")]}
        )
    token, key = issue_api_token(user=user)
    return Response({"token": key, "expires_at": token.expires_at.isoformat()})


def _second_factor_ok(user: Any, code: str | None) -> bool:
    """Whether `code` is a valid TOTP or unused recovery code of `user` (used up if so)."""
    from allauth.mfa.models import Authenticator

    if not code or not code.strip():
        return False
    authenticators = Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).order_by("-type")  # TOTP first, the usual one; then the recovery codes
    return any(a.wrap().validate_code(code.strip()) for a in authenticators)
