"""API endpoints that belong to no domain app: obtaining a token, and the docs page."""

from __future__ import annotations

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from .serializers import TokenRequestSerializer


class TokenPerAddressThrottle(SimpleRateThrottle):
    """Token requests per client IP address."""

    scope = "token_ip"
    rate = "10/min"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenPerAccountThrottle(SimpleRateThrottle):
    """Token requests per email address, whoever sends them (guessing one password)."""

    scope = "token_account"
    rate = "5/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}


@extend_schema(
    request=TokenRequestSerializer,
    responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    auth=[],
    tags=["auth"],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([TokenPerAddressThrottle, TokenPerAccountThrottle])
def obtain_token(request: Request) -> Response:
    """Exchange your email and password for an API token (`Authorization: Token <key>`).

    Asking again returns the same token. The same answer is given for an unknown
    email and a wrong password; the address must be verified, and an account with
    two-factor authentication must send its `code`, as for signing in.
    """
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(
        request._request,
        email=serializer.validated_data["email"],
        password=serializer.validated_data["password"],
    )
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
    token, _created = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})


def _second_factor_ok(user: Any, code: str | None) -> bool:
    """Whether `code` is a valid TOTP or unused recovery code of `user` (used up if so)."""
    from allauth.mfa.models import Authenticator

    if not code or not code.strip():
        return False
    authenticators = Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).order_by("-type")  # TOTP first, the usual one; then the recovery codes
    return any(a.wrap().validate_code(code.strip()) for a in authenticators)


class SwaggerDocs(SpectacularSwaggerSplitView):
    """Swagger UI under our CSP: no inline script or style, every asset from /static/.

    The page loads its start-up script from this same URL with `?script`; that
    script carries the CSRF token, so other sites may not load it.
    """

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if "script" in request.GET and request.headers.get("Sec-Fetch-Site") == "cross-site":
            raise PermissionDenied
        # drf-spectacular leaves its views' get() unannotated.
        response: Response = super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call]
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
