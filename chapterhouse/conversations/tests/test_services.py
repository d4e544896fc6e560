"""The services of private messages: every branch, and that a refusal stores nothing."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from chapterhouse.conversations import selectors, services
from chapterhouse.conversations.models import (
    Attachment,
    Block,
    Conversation,
    Message,
    Participant,
    Report,
)
from chapterhouse.conversations.services import ConversationError
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

from .factories import conversation_of, jpeg_with_exif, png_bytes

pytestmark = pytest.mark.django_db


def unread(member) -> int:
    return selectors.unread_count_for(Viewer(member.user))


def nothing_stored() -> None:
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0
    assert Participant.objects.count() == 0
    assert Notification.objects.filter(kind=Kind.PRIVATE_MESSAGE).count() == 0


def test_it_starts_a_conversation_and_tells_each_other_participant_once(ada, bob, cy,
                                                                         django_capture_on_commit_callbacks):
    mail.outbox.clear()  # the welcomes
    with django_capture_on_commit_callbacks(execute=True):
        conversation = services.start_conversation(author=ada, recipients=[bob, cy, bob],
                                                   body="Tea **at five**?", subject="Tea")
    assert set(conversation.participants.values_list("member__display_name", flat=True)) == {
        "Ada Lovelace", "Bob Brown", "Cy Twombly"}
    message = conversation.messages.get()
    assert message.author == ada and message.body == "Tea **at five**?"
    notices = Notification.objects.filter(kind=Kind.PRIVATE_MESSAGE)
    assert sorted(n.recipient.display_name for n in notices) == ["Bob Brown", "Cy Twombly"]
    assert {n.url for n in notices} == {conversation.get_absolute_url()}
    assert "Ada Lovelace sent you a private message: “Tea”." in notices[0].text
    # Emailed by default, to each recipient.
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "cy@example.org"]
    assert (unread(ada), unread(bob), unread(cy)) == (0, 1, 1)


def test_a_reply_notifies_the_others_and_counts_unread_until_read(ada, bob, cy):
    conversation = conversation_of(ada, bob, cy)
    message = services.post_message(conversation=conversation, author=bob, body="Yes")
    assert (unread(ada), unread(bob), unread(cy)) == (1, 0, 2)
    assert Notification.objects.filter(recipient=ada, kind=Kind.PRIVATE_MESSAGE).count() == 1
    assert Notification.objects.filter(recipient=bob, kind=Kind.PRIVATE_MESSAGE).count() == 1
    assert services.mark_read(conversation=conversation, member=cy, up_to=message.pk) == 1
    assert unread(cy) == 0
    # The mark never goes back, and a second mark writes nothing.
    assert services.mark_read(conversation=conversation, member=cy, up_to=message.pk - 1) == 0
    assert unread(cy) == 0


def test_the_list_orders_by_newest_activity_with_unread_counts(ada, bob, cy):
    older = conversation_of(bob, ada, body="one")
    newer = conversation_of(cy, ada, body="two")
    services.post_message(conversation=older, author=bob, body="again")
    rows = list(selectors.conversations_of(ada))
    assert [c.pk for c in rows] == [older.pk, newer.pk]
    assert [c.unread for c in rows] == [2, 1]  # type: ignore[attr-defined]
    assert [c.unread for c in selectors.conversations_of(bob)] == [0]  # type: ignore[attr-defined]


def test_it_broadcasts_a_small_event_to_each_recipient_after_commit(
        ada, bob, cy, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(services, "broadcast", lambda group, event: sent.append((group, event)))
    with django_capture_on_commit_callbacks() as callbacks:
        conversation = conversation_of(ada, bob, cy)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(group for group, _event in sent) == sorted(
        [f"member.{bob.pk}", f"member.{cy.pk}"])
    event = sent[0][1]
    assert event["type"] == "conversation.message"
    assert event["conversation"] == str(conversation.public_id)
    assert event["url"] == conversation.get_absolute_url()
    assert "body" not in event


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_message_is_refused(ada, bob, body):
    with pytest.raises(ConversationError, match="empty"):
        services.start_conversation(author=ada, recipients=[bob], body=body)
    nothing_stored()


def test_an_oversized_message_is_refused(ada, bob, settings):
    settings.MESSAGE_MAX_CHARS = 100
    with pytest.raises(ConversationError, match="at most 100 characters long; this one has 101"):
        services.start_conversation(author=ada, recipients=[bob], body="x" * 101)
    nothing_stored()
    conversation = conversation_of(ada, bob)
    with pytest.raises(ConversationError):
        services.post_message(conversation=conversation, author=bob, body="y" * 101)
    assert conversation.messages.count() == 1


def test_no_recipient_or_only_oneself_is_refused(ada):
    for recipients in ([], [ada]):
        with pytest.raises(ConversationError, match="at least one other member"):
            services.start_conversation(author=ada, recipients=recipients, body="hi")
    nothing_stored()


def test_too_many_participants_are_refused(ada, bob, cy, settings):
    settings.MESSAGE_MAX_PARTICIPANTS = 2
    with pytest.raises(ConversationError, match="at most 2 members"):
        services.start_conversation(author=ada, recipients=[bob, cy], body="hi")
    nothing_stored()


def test_a_deactivated_recipient_is_refused(ada, bob):
    bob.user.is_active = False
    bob.user.save()
    with pytest.raises(ConversationError, match="Bob Brown can no longer receive"):
        services.start_conversation(author=ada, recipients=[bob], body="hi")
    nothing_stored()


def test_a_blocked_author_cannot_start_a_conversation_nor_post_in_a_shared_one(ada, bob, cy):
    shared = conversation_of(cy, ada, bob)
    services.block_member(blocker=ada, blocked=bob)
    before = Message.objects.count()
    with pytest.raises(ConversationError, match="Ada Lovelace does not accept messages from you"):
        services.start_conversation(author=bob, recipients=[ada, cy], body="hi")
    with pytest.raises(ConversationError, match="Ada Lovelace does not accept"):
        services.post_message(conversation=shared, author=bob, body="hi")
    assert Message.objects.count() == before
    assert Conversation.objects.count() == 1
    # The one who blocked may still write in the shared conversation, not start a new one.
    services.post_message(conversation=shared, author=ada, body="still here")
    with pytest.raises(ConversationError, match="You blocked Bob Brown"):
        services.start_conversation(author=ada, recipients=[bob], body="hi")
    # Unblocked, all is as before.
    assert services.unblock_member(blocker=ada, blocked=bob) == 1
    services.post_message(conversation=shared, author=bob, body="thanks")
    assert services.unblock_member(blocker=ada, blocked=bob) == 0


def test_blocking_twice_keeps_one_block_and_oneself_is_refused(ada, bob):
    services.block_member(blocker=ada, blocked=bob)
    services.block_member(blocker=ada, blocked=bob)
    assert Block.objects.count() == 1
    with pytest.raises(ConversationError):
        services.block_member(blocker=ada, blocked=ada)
    assert list(selectors.blocked_by(ada)) == [bob]


def test_a_non_participant_cannot_post(ada, bob, eve):
    conversation = conversation_of(ada, bob)
    with pytest.raises(ConversationError):
        services.post_message(conversation=conversation, author=eve, body="hi")
    assert conversation.messages.count() == 1


def test_new_accounts_are_limited_in_conversations_started_per_hour(bob, cy, settings):
    settings.MESSAGE_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR = 2
    settings.MESSAGE_NEW_ACCOUNT_DAYS = 3
    newcomer = make_member("Nina New", city="London", neighbourhood="Hackney")
    conversation_of(newcomer, bob)
    conversation_of(newcomer, cy)
    with pytest.raises(ConversationError, match="New accounts can start 2 conversations an hour"):
        conversation_of(newcomer, bob)
    assert Conversation.objects.filter(started_by=newcomer).count() == 2
    # Replying is not limited; an hour later, or an older account, may start again.
    services.post_message(conversation=Conversation.objects.earliest("id"), author=newcomer,
                          body="more")
    Conversation.objects.update(created_at=timezone.now() - timedelta(hours=2))
    conversation_of(newcomer, bob)
    Member.objects.filter(pk=newcomer.pk).update(joined_at=timezone.now() - timedelta(days=4))
    newcomer.refresh_from_db()
    for _ in range(3):
        conversation_of(newcomer, cy)


def test_an_image_is_re_encoded_without_its_metadata_and_stored_privately(ada, bob, settings):
    conversation = services.start_conversation(author=ada, recipients=[bob], body="",
                                               image=io.BytesIO(jpeg_with_exif()))
    attachment = Attachment.objects.get(message__conversation=conversation)
    assert (attachment.width, attachment.height) == (20, 10)
    path = attachment.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with open(path, "rb") as stored:
        data = stored.read()
    assert data.startswith(b"\x89PNG")
    assert b"secret description" not in data
    assert attachment.size == len(data)


@pytest.mark.parametrize(("data", "error"), [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "SVG"),
    (b"%PDF-1.4 not an image", "not an image we can read"),
    (b"", "empty"),
])
def test_files_that_are_not_accepted_images_are_refused(ada, bob, data, error):
    with pytest.raises(ConversationError, match=error):
        services.start_conversation(author=ada, recipients=[bob], body="see",
                                    image=io.BytesIO(data))
    nothing_stored()
    assert Attachment.objects.count() == 0


def test_an_oversized_image_is_refused(ada, bob, settings):
    settings.MESSAGE_IMAGE_MAX_BYTES = 50
    with pytest.raises(ConversationError, match="too big"):
        services.start_conversation(author=ada, recipients=[bob], body="see",
                                    image=io.BytesIO(png_bytes()))
    nothing_stored()


def test_a_report_is_stored_once_with_its_reason(ada, bob):
    conversation = conversation_of(ada, bob, body="rude")
    message = conversation.messages.get()
    report = services.report_message(message=message, reporter=bob, reason="Insults")
    assert (report.reporter, report.reason, report.resolved) == (bob, "Insults", False)
    with pytest.raises(ConversationError, match="already"):
        services.report_message(message=message, reporter=bob, reason="Again")
    with pytest.raises(ConversationError, match="Say why"):
        services.report_message(message=message, reporter=bob, reason="  ")
    with pytest.raises(ConversationError, match="your own"):
        services.report_message(message=message, reporter=ada, reason="Oops")
    assert Report.objects.count() == 1


def test_the_data_export_holds_what_the_member_wrote_and_whom_they_blocked(ada, bob):
    from chapterhouse.members.selectors import export_data_for

    conversation = conversation_of(ada, bob, body="from Ada", subject="Tea")
    services.post_message(conversation=conversation, author=bob, body="from Bob")
    services.block_member(blocker=ada, blocked=bob)
    export = export_data_for(ada)
    texts = [m["text"] for m in export["private_messages"]]
    assert texts == ["from Ada"]
    assert export["blocked_members"][0]["name"] == "Bob Brown"


def test_the_event_reaches_the_recipients_group_on_the_channel_layer(
        ada, bob, django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    async def listen_then_receive(channel_name_holder):
        channel = await layer.new_channel()
        await layer.group_add(f"member.{bob.pk}", channel)
        channel_name_holder.append(channel)

    holder: list[str] = []
    async_to_sync(listen_then_receive)(holder)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(ada, bob, body="live")
    # The member's group also hears of the notice stored with the message.
    events = [async_to_sync(layer.receive)(holder[0]) for _ in range(2)]
    [event] = [e for e in events if e["type"] == "conversation.message"]
    assert event["conversation"] == str(conversation.public_id)
    assert event["author"] == "Ada Lovelace"


@pytest.fixture(autouse=True)
def _in_memory_channel_layer(settings):
    """These tests drive consumers and the layer from several event loops in turn
    (async_to_sync): the in-memory layer allows that; channels_redis's connection pool
    is bound to the loop that opened it (with REDIS_URL set, on CI's second run)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
