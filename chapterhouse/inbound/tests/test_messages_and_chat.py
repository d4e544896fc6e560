"""Replies by email to a private message's notice and to a chat mention's notice, as
real MIME messages through both inbound paths (the provider webhook and the LMTP
receiver): posted into the conversation or the room as the member, or refused with
nothing stored (blocked, left the room, a forged address)."""

import pytest
from django.core import mail

from chapterhouse.chat import services as chat
from chapterhouse.chat.models import Message as ChatMessage
from chapterhouse.conversations import services as conversations
from chapterhouse.conversations.models import Message as PrivateMessage
from chapterhouse.discussions.markup import mention_token
from chapterhouse.inbound import services
from chapterhouse.inbound.models import ReceivedReply
from chapterhouse.notifications import replies
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.notifications.services import set_email_preferences

from .conftest import DOMAIN, eml, plain, raw
from .test_receiver import deliver, lmtp  # noqa: F401 (the LMTP receiver fixture)
from .test_webhook import _anymail, bounces_to, mailgun  # noqa: F401 (webhook settings)


def reply_to_of(member):
    [notice] = [m for m in mail.outbox if m.to == [member.user.email]]
    [address] = notice.reply_to
    return address


@pytest.fixture
def messaged(member, neighbour):
    """Nell wrote to Ada privately; Ada's notice email answers the conversation.
    Returns (conversation, the Reply-To address of Ada's email)."""
    set_email_preferences(member=member, choices={Kind.PRIVATE_MESSAGE: True})
    mail.outbox.clear()
    conversation = conversations.start_conversation(author=neighbour, recipients=[member],
                                                    body="Are you coming on Saturday?")
    return conversation, reply_to_of(member)


@pytest.fixture
def mentioned(member, neighbour):
    """Nell mentioned Ada in Hackney's room; Ada's notice email answers the room.
    Returns (room, the Reply-To address of Ada's email)."""
    set_email_preferences(member=member, choices={Kind.CHAT_MENTION: True})
    room = chat.chapter_room(chapter=member.home_chapter)
    mail.outbox.clear()
    chat.post_message(room=room, author=neighbour, text=f"{mention_token(member)} banners?")
    return room, reply_to_of(member)


def counts():
    return (PrivateMessage.objects.count(), ChatMessage.objects.count(),
            ReceivedReply.objects.count())


def refused(message):
    before = counts()
    with pytest.raises(services.ReplyRefused) as caught:
        services.receive(message=message)
    assert counts() == before
    return caught.value


# -- The notices carry the reply address ----------------------------------------------


@pytest.mark.django_db
def test_a_private_message_notice_answers_its_conversation(member, messaged):
    conversation, address = messaged
    target = replies.read_address(address)
    assert target is not None
    assert (target.member_id, target.kind, target.target_id) == (
        member.public_id, "message", conversation.public_id)
    assert address.startswith("reply+message-") and address.endswith("@" + DOMAIN)


@pytest.mark.django_db
def test_a_chat_mention_notice_answers_its_room(member, mentioned):
    room, address = mentioned
    target = replies.read_address(address)
    assert target is not None
    assert (target.member_id, target.kind, target.target_id) == (
        member.public_id, "chat", room.public_id)


# -- Private messages ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["gmail_plain.eml", "outlook_html_only.eml"])
def test_a_reply_to_a_private_message_is_posted_in_the_conversation(member, neighbour,
                                                                   messaged, fixture):
    conversation, address = messaged
    received = services.receive(message=eml(fixture, to=address, sender=member.user.email))
    new = PrivateMessage.objects.latest("pk")
    assert (new.conversation, new.author) == (conversation, member)
    assert new.body.strip() and ">" not in new.body and "wrote" not in new.body
    assert received.url == conversation.get_absolute_url()
    # Nell is told, as for a message written on the site.
    assert Notification.objects.filter(recipient=neighbour, kind=Kind.PRIVATE_MESSAGE).exists()
    assert ReceivedReply.objects.get().kind == "message"


@pytest.mark.django_db
def test_a_reply_to_someone_who_blocked_you_is_refused(member, neighbour, messaged):
    _conversation, address = messaged
    conversations.block_member(blocker=neighbour, blocked=member)
    error = refused(plain(to=address, sender=member.user.email, body="Hello again"))
    assert error.reason == "target" and "does not accept messages from you" in error.message


@pytest.mark.django_db
def test_a_too_long_reply_to_a_private_message_is_refused(settings, member, messaged):
    _conversation, address = messaged
    settings.MESSAGE_MAX_CHARS = 20
    error = refused(plain(to=address, sender=member.user.email, body="x" * 21))
    assert "at most 20 characters" in error.message


@pytest.mark.django_db
def test_a_forged_message_address_is_refused(member, messaged):
    _conversation, address = messaged
    local = address.split("@")[0]
    forged = local[:-3] + ("aaa" if not local.endswith("aaa") else "bbb") + "@" + DOMAIN
    assert refused(plain(to=forged, sender=member.user.email, body="Hi")).reason == "forged"


@pytest.mark.django_db
def test_a_message_address_used_for_another_conversation_is_refused(member, neighbour,
                                                                   outsider, messaged):
    # A signed address naming a conversation Ada is not in (made by hand): refused.
    other = conversations.start_conversation(author=outsider, recipients=[neighbour],
                                             body="Private")
    address = replies.address_for(member.public_id, "message", other.public_id)
    error = refused(plain(to=address, sender=member.user.email, body="Let me in"))
    assert error.reason == "target" and "no longer exists" in error.message


# -- Chat mentions ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["multipart_alternative.eml", "outlook_plain.eml"])
def test_a_reply_to_a_chat_mention_is_posted_in_the_room(member, mentioned, fixture):
    room, address = mentioned
    received = services.receive(message=eml(fixture, to=address, sender=member.user.email))
    new = ChatMessage.objects.latest("pk")
    assert (new.room, new.author) == (room, member)
    assert new.body.strip() and ">" not in new.body
    assert received.url == room.get_absolute_url() + "#latest"


@pytest.mark.django_db
def test_a_reply_to_a_room_one_has_left_is_refused(member, neighbour):
    set_email_preferences(member=member, choices={Kind.CHAT_MENTION: True})
    room = chat.create_room(chapter=member.home_chapter, creator=neighbour, name="Garden")
    chat.join_room(room=room, member=member)
    mail.outbox.clear()
    chat.post_message(room=room, author=neighbour, text=f"{mention_token(member)} seeds?")
    address = reply_to_of(member)
    chat.leave_room(room=room, member=member)
    error = refused(plain(to=address, sender=member.user.email, body="Tomatoes"))
    assert error.reason == "target" and "no longer in this chat room" in error.message


@pytest.mark.django_db
def test_a_reply_to_an_invite_only_room_one_has_left_is_refused(member, neighbour):
    from chapterhouse.chat.models import Room

    room = chat.create_room(chapter=member.home_chapter, creator=neighbour, name="Treasury",
                            access=Room.Access.INVITE)
    address = replies.address_for(member.public_id, "chat", room.public_id)
    error = refused(plain(to=address, sender=member.user.email, body="Peek"))
    assert "no longer exists, or you are no longer in it" in error.message


@pytest.mark.django_db
def test_a_forged_chat_address_is_refused(member, mentioned):
    _room, address = mentioned
    local, domain = address.split("@")
    forged = local.replace("reply+chat-", "reply+message-") + "@" + domain
    assert refused(plain(to=forged, sender=member.user.email, body="Hi")).reason == "forged"


@pytest.mark.django_db
def test_a_chat_reply_from_another_address_is_refused(member, outsider, mentioned):
    _room, address = mentioned
    assert refused(plain(to=address, sender=outsider.user.email, body="Hi")).reason == "sender"


# -- Through the provider's webhook ----------------------------------------------------


@pytest.mark.django_db
def test_a_private_reply_through_mailgun_is_posted(client, member, messaged):
    conversation, address = messaged
    mail.outbox.clear()
    message = eml("multipart_alternative.eml", to=address, sender=member.user.email)
    assert mailgun(client, message, address).status_code == 200
    new = PrivateMessage.objects.latest("pk")
    assert (new.conversation, new.author, new.body) == (
        conversation, member, "Count me in for Saturday.\n\nAda")
    assert not bounces_to(member.user.email)


@pytest.mark.django_db
def test_a_blocked_reply_through_mailgun_is_bounced(client, member, neighbour, messaged):
    _conversation, address = messaged
    conversations.block_member(blocker=neighbour, blocked=member)
    mail.outbox.clear()
    before = counts()
    response = mailgun(client, plain(to=address, sender=member.user.email, body="Hi"), address)
    assert response.status_code == 200 and counts() == before
    [bounce] = bounces_to(member.user.email)
    assert "does not accept messages from you" in bounce.body


@pytest.mark.django_db
def test_a_chat_reply_through_mailgun_is_posted(client, member, mentioned):
    room, address = mentioned
    message = eml("gmail_plain.eml", to=address, sender=member.user.email)
    assert mailgun(client, message, address).status_code == 200
    new = ChatMessage.objects.latest("pk")
    assert (new.room, new.author) == (room, member)
    assert new.body.startswith("The park, then.")


# -- Through the LMTP receiver ---------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_replies_over_lmtp_are_posted_in_the_conversation_and_the_room(
        lmtp, member, messaged, mentioned):  # noqa: F811
    conversation, message_address = messaged
    room, chat_address = mentioned
    assert deliver(lmtp, raw("gmail_plain.eml", to=message_address,
                             sender=member.user.email), message_address) == {}
    assert PrivateMessage.objects.latest("pk").conversation == conversation
    assert deliver(lmtp, raw("outlook_plain.eml", to=chat_address,
                             sender=member.user.email), chat_address) == {}
    assert ChatMessage.objects.latest("pk").room == room


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reply_to_a_room_one_has_left_is_refused_over_lmtp(lmtp, member, neighbour):  # noqa: F811
    import smtplib

    room = chat.create_room(chapter=member.home_chapter, creator=neighbour, name="Garden")
    address = replies.address_for(member.public_id, "chat", room.public_id)
    before = counts()
    with pytest.raises(smtplib.SMTPDataError) as caught:
        deliver(lmtp, plain(to=address, sender=member.user.email, body="Hi"), address)
    assert caught.value.smtp_code == 550 and counts() == before
