"""Clients for the API tests: the personas by session, and by token."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from chapterhouse.members.models import Member, Visibility
from chapterhouse.members.services import update_profile


def token_client(member: Member) -> Client:
    token, _created = Token.objects.get_or_create(user=member.user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def member_token_client(member) -> Client:
    return token_client(member)


@pytest.fixture
def public(member) -> Member:
    """The member fixture with a public profile."""
    return update_profile(member=member, profile_visibility=Visibility.PUBLIC)
