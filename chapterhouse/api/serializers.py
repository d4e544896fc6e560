"""Serializers of the endpoints in `api.views`."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    code = serializers.CharField(
        max_length=64, required=False, allow_blank=True,
        help_text=_(
            "The code from your authenticator app (or a recovery code), if your account "
            "uses two-factor authentication."
        ),
    )
