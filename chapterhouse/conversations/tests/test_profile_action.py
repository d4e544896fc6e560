"""The profile's "Send a message": to the new conversation page with the member filled
in, for signed-in members other than the member, never across a block."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.conftest import client_for
from chapterhouse.conversations import services

pytestmark = pytest.mark.django_db


def link_to(member) -> str:
    return f'href="/messages/new/?to={member.public_id}"'


def profile(client, member) -> str:
    response = client.get(member.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_member_sees_send_a_message_leading_to_the_form_filled_in(ada, bob):
    client = client_for(ada)
    page = profile(client, bob)
    assert "Send a message" in page and link_to(bob) in page
    form = client.get(f"/messages/new/?to={bob.public_id}").content.decode()
    assert "Bob Brown" in form and str(bob.public_id) in form


def test_not_on_your_own_profile(ada):
    assert "Send a message" not in profile(client_for(ada), ada)


def test_not_for_signed_out_visitors(client, ada):
    from chapterhouse.members.models import Visibility
    from chapterhouse.members.services import update_profile

    update_profile(member=ada, profile_visibility=Visibility.PUBLIC)
    assert "Send a message" not in profile(client, ada)


@pytest.mark.parametrize("who_blocks", ["them", "you"])
def test_not_when_either_blocked_the_other(ada, bob, who_blocks):
    blocker, blocked = (bob, ada) if who_blocks == "them" else (ada, bob)
    services.block_member(blocker=blocker, blocked=blocked)
    page = profile(client_for(ada), bob)
    assert "Send a message" not in page and link_to(bob) not in page


def test_it_costs_one_query(ada, bob, cy):
    client = client_for(ada)
    profile(client, bob)
    with CaptureQueriesContext(connection) as with_link:
        profile(client, bob)
    services.block_member(blocker=bob, blocked=ada)
    with CaptureQueriesContext(connection) as without:
        profile(client, bob)
    assert len(with_link) == len(without)
