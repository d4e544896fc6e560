"""Private messages over the REST API: participants only, bad input refused."""

import pytest

from chapterhouse.conversations import services
from chapterhouse.conversations.models import Block, Conversation, Message
from chapterhouse.members.tests.factories import token_client_for

from .factories import conversation_of, person

pytestmark = pytest.mark.django_db

LIST = "/api/v1/conversations/"


def messages_url(conversation) -> str:
    return f"/api/v1/conversations/{conversation.public_id}/messages/"


def test_without_credentials_it_is_401(client, ada, bob):
    conversation = conversation_of(ada, bob)
    assert client.get(LIST).status_code == 401
    assert client.get(messages_url(conversation)).status_code == 401
    assert client.post(messages_url(conversation), {"body": "x"},
                       content_type="application/json").status_code == 401


def test_it_lists_your_conversations_with_unread_counts(ada, bob, cy):
    first = conversation_of(bob, ada, body="one", subject="Bread")
    conversation_of(cy, bob, body="not Ada's")
    services.post_message(conversation=first, author=bob, body="two")
    body = token_client_for(ada).get(LIST).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["public_id"] == str(first.public_id)
    assert (row["subject"], row["unread"]) == ("Bread", 2)
    assert {p["display_name"] for p in row["participants"]} == {"Ada Lovelace", "Bob Brown"}
    assert row["web_url"] == first.get_absolute_url()


def test_reading_messages_is_paginated_oldest_first_and_marks_read(ada, bob):
    conversation = conversation_of(ada, bob, body="**one**")
    services.post_message(conversation=conversation, author=ada, body="two")
    client = token_client_for(bob)
    body = client.get(messages_url(conversation)).json()
    assert [m["body"] for m in body["results"]] == ["**one**", "two"]
    assert body["results"][0]["body_html"] == "<p><strong>one</strong></p>"
    assert body["results"][0]["author"]["display_name"] == "Ada Lovelace"
    assert client.get(LIST).json()["results"][0]["unread"] == 0


def test_posting_a_message(ada, bob):
    conversation = conversation_of(ada, bob)
    response = token_client_for(bob).post(messages_url(conversation), {"body": "Hi *you*"},
                                          content_type="application/json")
    assert response.status_code == 201
    assert response.json()["body_html"] == "<p>Hi <em>you</em></p>"
    assert conversation.messages.latest("id").author == bob


def test_starting_a_conversation(ada, bob, cy):
    response = token_client_for(ada).post(LIST, {
        "recipients": [str(bob.public_id), str(cy.public_id)], "subject": "Picnic",
        "body": "Saturday?"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    conversation = Conversation.objects.get()
    assert response.json()["public_id"] == str(conversation.public_id)
    assert conversation.participants.count() == 3


def test_outsiders_get_404_and_change_nothing(ada, bob, eve):
    conversation = conversation_of(ada, bob, body="secret")
    client = token_client_for(eve)
    assert client.get(LIST).json()["count"] == 0
    response = client.get(messages_url(conversation))
    assert response.status_code == 404 and "secret" not in response.content.decode()
    assert client.post(messages_url(conversation), {"body": "hi"},
                       content_type="application/json").status_code == 404
    assert client.get("/api/v1/conversations/7c9e6679-7425-40de-944b-e07fc1f90ae7/messages/"
                      ).status_code == 404
    assert Message.objects.count() == 1


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"body": ""}, "non_field_errors", "empty"),
    ({"body": "x" * 10_001}, "non_field_errors", "at most 10000"),
    ({"body": "hi", "author": "someone"}, "author", "cannot be changed"),
    ({}, "body", "required"),
])
def test_bad_messages_are_400_with_nothing_stored(ada, bob, data, field, text):
    conversation = conversation_of(ada, bob)
    response = token_client_for(bob).post(messages_url(conversation), data,
                                          content_type="application/json")
    assert response.status_code == 400
    assert text in str(response.json()[field])
    assert conversation.messages.count() == 1


def test_a_message_to_someone_who_blocked_you_is_400(ada, bob):
    conversation = conversation_of(ada, bob)
    Block.objects.create(blocker=ada, blocked=bob)
    client = token_client_for(bob)
    response = client.post(messages_url(conversation), {"body": "hi"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "does not accept messages from you" in response.json()["non_field_errors"][0]
    response = client.post(LIST, {"recipients": [str(ada.public_id)], "body": "hi"},
                           content_type="application/json")
    assert response.status_code == 400
    assert Conversation.objects.count() == 1 and Message.objects.count() == 1


def test_unknown_recipients_are_400_with_nothing_stored(ada):
    stranger = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    response = token_client_for(ada).post(LIST, {"recipients": [stranger], "body": "hi"},
                                          content_type="application/json")
    assert response.status_code == 400
    assert stranger in response.json()["recipients"][0]
    assert Conversation.objects.count() == 0


def test_the_list_endpoint_costs_the_same_queries_however_many_conversations(
        ada, bob, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client_for(ada)
    conversation_of(bob, ada)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    client.get(LIST)
    few = count()
    for i in range(4):
        conversation_of(person(f"Friend {i}"), ada, bob)
    assert count() == few
