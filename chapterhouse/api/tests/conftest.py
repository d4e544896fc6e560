"""Clients for the API tests: the personas by session, and by token."""

import pytest
from django.test import Client

from chapterhouse.members.models import Member, Visibility
from chapterhouse.members.services import update_profile
from chapterhouse.members.tests.factories import token_client_for


def token_client(member: Member) -> Client:
    return token_client_for(member)


@pytest.fixture
def member_token_client(member) -> Client:
    return token_client(member)


@pytest.fixture
def public(member) -> Member:
    """The member fixture with a public profile."""
    return update_profile(member=member, profile_visibility=Visibility.PUBLIC)
