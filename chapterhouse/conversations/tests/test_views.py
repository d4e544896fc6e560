"""The pages of private messages over HTTP: participants, outsiders, bad input,
unread counts in the header, and constant query counts."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chapterhouse.conftest import client_for
from chapterhouse.conversations import services
from chapterhouse.conversations.models import Block, Conversation, Message, Report

from .factories import conversation_of, person, png_bytes

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client, ada, bob):
    conversation = conversation_of(ada, bob)
    for url in ["/messages/", "/messages/new/", conversation.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_shows_conversations_with_unread_counts_newest_first(ada, bob, cy):
    first = conversation_of(bob, ada, body="one", subject="Bread")
    conversation_of(cy, ada, body="two", subject="Cheese")
    services.post_message(conversation=first, author=bob, body="again")
    page = client_for(ada).get("/messages/").content.decode()
    assert page.index("Bread") < page.index("Cheese")
    assert "2 unread" in page and "1 unread" in page
    # The header counts every unread message.
    assert 'class="messages-link">Messages <span class="badge" aria-label="3 unread messages">3' \
        in page


def test_the_conversation_page_renders_markdown_safely_and_marks_read(ada, bob):
    conversation = conversation_of(
        ada, bob, body="**hi** <script>alert(1)</script> [x](javascript:alert(1))")
    client = client_for(bob)
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "<strong>hi</strong>" in page
    assert "<script>alert(1)" not in page and "javascript:alert" not in page
    assert 'class="badge new"' in page  # new on this visit
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert 'class="badge new"' not in page  # read now
    assert "messages-link" in page and 'aria-label="1 unread message"' not in page


def test_quoting_fills_the_reply_box(ada, bob):
    conversation = conversation_of(ada, bob, body="line one\nline two")
    message = conversation.messages.get()
    page = client_for(bob).get(
        f"{conversation.get_absolute_url()}?quote={message.public_id}").content.decode()
    assert "Ada Lovelace wrote:\n&gt; line one\n&gt; line two" in page


def test_a_participant_replies(ada, bob):
    conversation = conversation_of(ada, bob)
    response = client_for(bob).post(reverse("conversations:reply", args=[conversation.public_id]),
                                    {"body": "Thanks!"})
    message = conversation.messages.latest("id")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#m-{message.public_id}")
    assert (message.author, message.body) == (bob, "Thanks!")


@pytest.mark.parametrize("body", ["", "x" * 10_001])
def test_a_bad_reply_is_refused_with_its_reason_and_nothing_stored(ada, bob, body):
    conversation = conversation_of(ada, bob)
    response = client_for(bob).post(reverse("conversations:reply", args=[conversation.public_id]),
                                    {"body": body})
    assert response.status_code == 400
    assert "empty" in response.content.decode() or "at most 10000" in response.content.decode()
    assert conversation.messages.count() == 1


def test_a_reply_to_someone_who_blocked_you_is_refused(ada, bob):
    conversation = conversation_of(ada, bob)
    Block.objects.create(blocker=ada, blocked=bob)
    response = client_for(bob).post(reverse("conversations:reply", args=[conversation.public_id]),
                                    {"body": "hello?"})
    assert response.status_code == 400
    assert "Ada Lovelace does not accept messages from you." in response.content.decode()
    assert conversation.messages.count() == 1


def test_outsiders_get_404_everywhere_and_change_nothing(ada, bob, eve):
    conversation = conversation_of(ada, bob, body="secret")
    services.post_message(conversation=conversation, author=bob, body="x",
                          image=io.BytesIO(png_bytes()))
    message = conversation.messages.first()
    image = message.conversation.messages.latest("id").attachments.get()
    client = client_for(eve)
    base = conversation.get_absolute_url()
    for url in [base, f"{base}?quote={message.public_id}",
                reverse("conversations:report", args=[conversation.public_id, message.public_id]),
                image.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"secret" not in response.content
    assert client.post(reverse("conversations:reply", args=[conversation.public_id]),
                       {"body": "let me in"}).status_code == 404
    assert client.post(reverse("conversations:report",
                               args=[conversation.public_id, message.public_id]),
                       {"reason": "x"}).status_code == 404
    assert conversation.messages.count() == 2 and Report.objects.count() == 0
    # Guessed and malformed ids: 404 too.
    assert client_for(ada).get("/messages/7c9e6679-7425-40de-944b-e07fc1f90ae7/").status_code \
        == 404
    assert client_for(ada).get("/messages/1/").status_code == 404


def test_images_are_served_to_participants_only_with_a_private_cache(ada, bob):
    conversation = services.start_conversation(author=ada, recipients=[bob], body="",
                                               image=io.BytesIO(png_bytes()))
    image = conversation.messages.get().attachments.get()
    page = client_for(bob).get(conversation.get_absolute_url()).content.decode()
    assert image.get_absolute_url() in page
    response = client_for(bob).get(image.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\x89PNG")
    # Not under /media/, which anyone may fetch.
    assert "/media/" not in image.get_absolute_url()


def test_starting_a_conversation_by_chosen_suggestion(ada, bob, cy):
    response = client_for(ada).post("/messages/new/", {
        "subject": "Picnic", "to_0": "Bob Brown", "to_0_id": str(bob.public_id),
        "to_1": "Cy Twombly", "to_1_id": str(cy.public_id), "body": "Saturday?",
    })
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    assert set(conversation.participants.values_list("member__display_name", flat=True)) == {
        "Ada Lovelace", "Bob Brown", "Cy Twombly"}


def test_starting_a_conversation_by_typed_name_without_javascript(ada, bob):
    response = client_for(ada).post("/messages/new/", {"to_0": "bob brown", "body": "Hi"})
    assert response.status_code == 302
    assert Conversation.objects.get().participants.filter(member=bob).exists()


def test_the_new_form_offers_the_one_autocomplete_and_a_prefilled_recipient(ada, bob):
    page = client_for(ada).get(f"/messages/new/?to={bob.public_id}").content.decode()
    assert f'hx-get="{reverse("members:search")}"' in page
    assert "js/autocomplete.js" in page
    assert 'value="Bob Brown"' in page and f'value="{bob.public_id}"' in page


@pytest.mark.parametrize(("data", "error"), [
    ({"to_0": "Nobody Here", "body": "Hi"}, "No member is called “Nobody Here”"),
    ({"to_0": "", "body": "Hi"}, "Choose a member to write to."),
    ({"to_0": "Bob Brown", "body": ""}, "Write a message first"),
    ({"to_0": "Bob Brown", "body": "x" * 10_001}, "at most 10000 characters"),
])
def test_bad_new_conversations_are_refused_with_nothing_stored(ada, bob, data, error):
    response = client_for(ada).post("/messages/new/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Conversation.objects.count() == 0 and Message.objects.count() == 0


def test_two_members_of_the_same_name_must_be_chosen_from_the_suggestions(ada):
    person("Sam Same")
    person("Sam Same")
    response = client_for(ada).post("/messages/new/", {"to_0": "Sam Same", "body": "Hi"})
    assert response.status_code == 400
    assert "Several members are called" in response.content.decode()
    assert Conversation.objects.count() == 0


def test_a_forged_code_does_not_pick_another_member(ada, bob, cy):
    # The name typed is Bob's, the hidden code Cy's: the name wins (the code is a hint).
    client_for(ada).post("/messages/new/", {
        "to_0": "Bob Brown", "to_0_id": str(cy.public_id), "body": "Hi"})
    members = set(Conversation.objects.get().participants.values_list("member", flat=True))
    assert members == {ada.pk, bob.pk}


def test_new_accounts_are_refused_clearly_after_the_hourly_limit(bob, settings):
    from chapterhouse.members.tests.factories import make_member

    settings.MESSAGE_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR = 1
    newcomer = make_member("Nina New", city="London", neighbourhood="Hackney")
    client = client_for(newcomer)
    data = {"to_0": "Bob Brown", "to_0_id": str(bob.public_id), "body": "Hi"}
    assert client.post("/messages/new/", data).status_code == 302
    response = client.post("/messages/new/", data)
    assert response.status_code == 400
    assert "New accounts can start 1 conversation an hour" in response.content.decode()
    assert Conversation.objects.count() == 1


def test_block_and_unblock_by_form(ada, bob):
    client = client_for(ada)
    conversation = conversation_of(bob, ada)
    response = client.post(reverse("conversations:block", args=[bob.public_id]),
                           {"next": conversation.get_absolute_url()})
    assert response["Location"] == conversation.get_absolute_url()
    assert Block.objects.filter(blocker=ada, blocked=bob).exists()
    assert "Bob Brown" in client.get("/messages/blocked/").content.decode()
    response = client.post(reverse("conversations:unblock", args=[bob.public_id]),
                           {"next": "https://evil.example/"})
    assert response["Location"] == reverse("conversations:blocked")
    assert not Block.objects.exists()
    assert client.get(reverse("conversations:block", args=[bob.public_id])).status_code == 405


def test_reporting_a_message(ada, bob):
    conversation = conversation_of(ada, bob, body="rude")
    message = conversation.messages.get()
    url = reverse("conversations:report", args=[conversation.public_id, message.public_id])
    client = client_for(bob)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Insulting"})
    assert response.status_code == 302
    assert Report.objects.get().reason == "Insulting"
    # The author cannot report their own message (403: they may see it).
    assert client_for(ada).get(url).status_code == 403


def test_staff_see_reports_in_the_admin(ada, bob, admin_client):
    conversation = conversation_of(ada, bob, body="rude words")
    services.report_message(message=conversation.messages.get(), reporter=bob, reason="Insults")
    page = admin_client.get("/admin/conversations/report/").content.decode()
    assert "rude words" in page
    report = Report.objects.get()
    page = admin_client.get(f"/admin/conversations/report/{report.pk}/change/").content.decode()
    assert "Insults" in page


def count_queries(client, path: str) -> int:
    client.get(path)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_however_many_conversations(ada, bob):
    others = [person(f"Friend {i}") for i in range(4)]
    conversation_of(bob, ada, others[0])
    client = client_for(ada)
    few = count_queries(client, "/messages/")
    for index, other in enumerate(others):
        conversation = conversation_of(other, ada, bob, body=f"n{index}")
        services.post_message(conversation=conversation, author=bob, body="more")
    many = count_queries(client, "/messages/")
    assert many == few
    assert len(re.findall(r'class="conversation card', client.get("/messages/").content.decode())) \
        == 5


def test_the_conversation_page_costs_the_same_queries_however_many_messages(ada, bob, cy):
    conversation = conversation_of(ada, bob, cy)
    client = client_for(ada)
    few = count_queries(client, conversation.get_absolute_url())
    for index in range(12):
        author = [bob, cy][index % 2]
        services.post_message(conversation=conversation, author=author, body=f"m{index}",
                              image=io.BytesIO(png_bytes()) if index % 4 == 0 else None)
    many = count_queries(client, conversation.get_absolute_url())
    assert many == few
