"""Notices over the REST API: one's own only, in the request's language."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from chapterhouse.members.tests.factories import token_client_for
from chapterhouse.notifications.messages import render
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.notifications.services import notify
from chapterhouse.notifications.tests.factories import make_notices

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
JOINED = {"name": "Ana", "chapter": "Leeds"}


def test_a_member_lists_their_own_notices_in_the_requests_language(member, outsider):
    [mine] = notify(recipients=[member], kind=Kind.MEMBER_JOINED, message="members.joined",
                    params=JOINED, url="/c/gb/")
    make_notices(outsider, 2)
    response = token_client_for(member).get(LIST, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    rows = response.json()["results"]
    ids = {row["id"] for row in rows}
    assert str(mine.public_id) in ids
    assert ids <= {str(pk) for pk in member.notifications.values_list("public_id", flat=True)}
    with translation.override("fr"):
        french = render("members.joined", JOINED)
    [row] = [row for row in rows if row["id"] == str(mine.public_id)]
    assert row == {"id": str(mine.public_id), "kind": "member_joined", "text": french,
                   "url": "/c/gb/", "created_at": row["created_at"], "read": False}


def test_unread_only(member):
    make_notices(member, 2, read=True)
    rows = token_client_for(member).get(LIST + "?unread=1").json()["results"]
    assert all(not row["read"] for row in rows)
    assert len(rows) == member.notifications.filter(read_at__isnull=True).count()


def test_the_list_costs_the_same_queries_for_more_notices(member):
    client = token_client_for(member)
    make_notices(member, 2)
    client.get(LIST)  # the token's first use writes when it was last used
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    make_notices(member, 25)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(many) == len(few)


def test_a_member_marks_one_of_their_notices_read(member):
    notice = make_notices(member, 1)[0]
    response = token_client_for(member).post(f"{LIST}{notice.public_id}/read/")
    assert response.status_code == 200 and response.json()["marked"] == 1
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_an_outsider_cannot_read_or_mark_anothers_notice(member, outsider):
    notice = make_notices(member, 1)[0]
    client = token_client_for(outsider)
    assert client.post(f"{LIST}{notice.public_id}/read/").status_code == 404
    client.post(f"{LIST}read/")
    notice.refresh_from_db()
    assert notice.read_at is None
    assert str(notice.public_id) not in client.get(LIST).content.decode()


def test_mark_all_read_touches_only_ones_own(member, outsider):
    make_notices(member, 2)
    make_notices(outsider, 2)
    response = token_client_for(member).post(f"{LIST}read/")
    assert response.json()["unread"] == 0
    assert Notification.objects.filter(recipient=outsider, read_at__isnull=True).count() >= 2


@pytest.mark.parametrize("method,path", [("get", LIST), ("post", LIST + "read/")])
def test_anonymous_is_refused(member, method, path):
    make_notices(member, 1)
    response = getattr(Client(), method)(path)
    assert response.status_code in {401, 403}
    assert Notification.objects.filter(recipient=member, read_at__isnull=False).count() == 0


@pytest.mark.parametrize("query", ["unread=null", "unread=1&unread=1", "page=0", "page=abc",
                                   "page=1&page=2", "page="])
def test_a_bad_filter_or_page_is_refused_with_400(member, query):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(member.user)
    response = client.get(f"/api/v1/notifications/?{query}")
    assert response.status_code == 400
    field = query.split("=", 1)[0]
    assert field in response.json()
