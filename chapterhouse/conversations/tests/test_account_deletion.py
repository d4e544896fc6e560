"""Deleting an account removes the text and images of the member's private messages,
whatever they chose about their forum posts; the conversation goes on for the others."""

import io
import os

import pytest
from django.urls import reverse

from chapterhouse.conftest import client_for
from chapterhouse.conversations import services
from chapterhouse.conversations.models import Attachment, Message, Participant
from chapterhouse.members.selectors import export_data_for
from chapterhouse.members.services import delete_account

from .factories import conversation_of, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk(ada, bob):
    conversation = conversation_of(bob, ada, body="Bob's question", subject="Plans")
    with_image = services.post_message(conversation=conversation, author=ada,
                                       body="Ada's secret answer", image=io.BytesIO(png_bytes()))
    services.post_message(conversation=conversation, author=ada, body="Ada again")
    return conversation, with_image


@pytest.mark.parametrize("remove_writing", [False, True])
def test_the_text_and_images_of_a_deleted_members_messages_go(django_capture_on_commit_callbacks,
                                                            ada, bob, talk, remove_writing):
    conversation, with_image = talk
    path = Attachment.objects.get(message=with_image).file.path
    assert os.path.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(member=ada, remove_writing=remove_writing)
    left = list(Message.objects.filter(conversation=conversation).order_by("pk"))
    # Each keeps its place, without author or text; Bob's message is untouched.
    assert [(m.author_id, m.body) for m in left] == [
        (bob.pk, "Bob's question"), (None, ""), (None, "")]
    assert not Attachment.objects.exists() and not os.path.exists(path)
    assert list(Participant.objects.filter(conversation=conversation)
                .values_list("member", flat=True)) == [bob.pk]


def test_the_conversation_still_reads_and_takes_messages_for_the_others(ada, bob, talk):
    conversation, _message = talk
    delete_account(member=ada)
    bob_client = client_for(bob)
    page = bob_client.get(conversation.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "secret answer" not in text and "Ada again" not in text
    assert text.count("removed by its author") == 2 and "s question" in text
    response = bob_client.post(reverse("conversations:reply",
                                       kwargs={"public_id": conversation.public_id}),
                               {"body": "Still here"})
    assert response.status_code == 302
    assert Message.objects.filter(conversation=conversation, body="Still here").exists()


def test_only_the_deleted_members_messages_go(ada, bob, cy, talk):
    other = conversation_of(bob, cy, body="Bob to Cy")
    services.post_message(conversation=other, author=cy, body="Cy to Bob")
    delete_account(member=ada)
    assert sorted(Message.objects.filter(conversation=other).values_list("body", flat=True)) \
        == ["Bob to Cy", "Cy to Bob"]


def test_the_export_still_holds_the_messages_before_deletion(ada, talk):
    data = export_data_for(ada)
    assert [m["text"] for m in data["private_messages"]] == ["Ada's secret answer", "Ada again"]
