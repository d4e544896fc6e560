"""The member's replies by email in their data export; they go with the account."""

import pytest

from chapterhouse.inbound import services
from chapterhouse.inbound.models import ReceivedReply
from chapterhouse.members.selectors import export_data_for
from chapterhouse.members.services import delete_account

from .conftest import plain

pytestmark = pytest.mark.django_db


def test_the_export_lists_the_members_replies_by_email(member, neighbour, answered):
    _thread, post, address = answered
    received = services.receive(message=plain(to=address, sender=member.user.email,
                                              body="By email."))
    [row] = export_data_for(member)["replies_by_email"]
    assert row["answered"] == {"kind": "post", "id": str(post.public_id)}
    assert row["posted_at_url"] == received.url and row["received_at"]
    assert export_data_for(neighbour)["replies_by_email"] == []


def test_the_export_costs_the_same_whatever_the_number_of_replies(member, answered):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _thread, _post, address = answered

    def queries():
        with CaptureQueriesContext(connection) as captured:
            export_data_for(member)
        return len(captured)

    services.receive(message=plain(to=address, sender=member.user.email, body="One."))
    one = queries()
    for number in range(3):
        services.receive(message=plain(to=address, sender=member.user.email, body=f"N{number}"))
    assert queries() == one


def test_the_replies_go_with_the_account(member, answered):
    _thread, _post, address = answered
    services.receive(message=plain(to=address, sender=member.user.email, body="Bye."))
    delete_account(member=member)
    assert not ReceivedReply.objects.exists()
