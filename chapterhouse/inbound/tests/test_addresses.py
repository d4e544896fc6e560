"""The signed reply-to addresses (notifications.replies) and the notice emails that carry
them."""

import uuid

import pytest
from django.core import mail

from chapterhouse.discussions import services as discussions
from chapterhouse.discussions.tests.factories import first_post, make_thread
from chapterhouse.notifications import replies
from chapterhouse.notifications.services import set_email_preferences

from .conftest import DOMAIN

MEMBER = uuid.UUID("6f1c9a52-6f0d-4d1e-9a57-6b1f3f0c2a11")
POST = uuid.UUID("0b8e2f3c-2d5a-4c61-8f7e-1a2b3c4d5e6f")


def test_an_address_names_its_member_and_target():
    address = replies.address_for(MEMBER, "post", POST)
    assert address.startswith("reply+post-") and address.endswith("@" + DOMAIN)
    assert replies.read_address(address) == replies.ReplyTarget(MEMBER, "post", POST)


def test_case_and_angle_brackets_do_not_matter():
    address = replies.address_for(MEMBER, "post", POST)
    assert replies.read_address(f"<{address.upper()}>") == replies.ReplyTarget(
        MEMBER, "post", POST)


def test_every_altered_character_makes_the_address_invalid():
    address = replies.address_for(MEMBER, "post", POST)
    local = address.split("@")[0]
    start = len("reply+post-")
    for index in range(start, len(local)):
        swapped = "b" if local[index] != "b" else "c"
        forged = local[:index] + swapped + local[index + 1:] + "@" + DOMAIN
        assert replies.read_address(forged) is None, index


def test_another_member_or_target_cannot_be_put_in_a_valid_address():
    mine = replies.address_for(MEMBER, "post", POST)
    other = replies.address_for(uuid.uuid4(), "post", POST)
    # The token's member part of one address with the signature of the other.
    spliced = mine.split("@")[0][:-16] + other.split("@")[0][-16:] + "@" + DOMAIN
    assert replies.read_address(spliced) is None


def test_the_kind_is_signed_too(settings):
    replies.register("testkind", lambda member, target, text: "/")
    address = replies.address_for(MEMBER, "post", POST)
    assert replies.read_address(address.replace("+post-", "+testkind-")) is None


def test_another_domain_or_a_plain_address_is_not_a_reply_address():
    address = replies.address_for(MEMBER, "post", POST)
    assert replies.read_address(address.replace(DOMAIN, "elsewhere.org")) is None
    assert replies.read_address(f"ada@{DOMAIN}") is None
    assert replies.read_address(f"reply+post-@{DOMAIN}") is None
    assert replies.read_address(f"reply+post-!!!!@{DOMAIN}") is None
    assert replies.read_address("") is None


def test_an_address_made_with_a_retired_secret_key_still_reads(settings):
    address = replies.address_for(MEMBER, "post", POST)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    assert replies.read_address(address) == replies.ReplyTarget(MEMBER, "post", POST)
    settings.SECRET_KEY_FALLBACKS = []
    assert replies.read_address(address) is None


def test_without_a_reply_domain_there_are_no_addresses(settings):
    address = replies.address_for(MEMBER, "post", POST)
    settings.REPLY_DOMAIN = ""
    assert replies.address_for(MEMBER, "post", POST) == ""
    assert replies.read_address(address) is None


def test_a_kind_no_app_handles_has_no_address():
    assert replies.address_for(MEMBER, "nothing", POST) == ""
    assert "post" in replies.kinds()


def test_the_address_is_short_enough_for_mail_servers():
    assert len(replies.address_for(MEMBER, "post", POST)) < 100


@pytest.mark.django_db
def test_a_notice_email_about_a_post_can_be_answered(member, neighbour):
    set_email_preferences(member=member, choices={"reply": True})
    thread = make_thread(member)
    mail.outbox.clear()
    post = discussions.reply(thread=thread, author=neighbour, body="Park!",
                             reply_to=first_post(thread))
    [email] = [m for m in mail.outbox if m.to == [member.user.email]]
    [address] = email.reply_to
    assert replies.read_address(address) == replies.ReplyTarget(
        member.public_id, "post", post.public_id)
    assert "Reply to this email to answer" in email.body


@pytest.mark.django_db
def test_without_a_reply_domain_notice_emails_have_no_reply_to(settings, member, neighbour):
    settings.REPLY_DOMAIN = ""
    set_email_preferences(member=member, choices={"reply": True})
    thread = make_thread(member)
    mail.outbox.clear()
    discussions.reply(thread=thread, author=neighbour, body="Park!",
                      reply_to=first_post(thread))
    [email] = [m for m in mail.outbox if m.to == [member.user.email]]
    assert email.reply_to == []
    assert "Reply to this email" not in email.body
    assert "Reply-To" not in email.message()


@pytest.mark.django_db
def test_notices_about_other_things_have_no_reply_to(member):
    # The welcome notice (make_member) answers nothing.
    assert mail.outbox and all(m.reply_to == [] for m in mail.outbox)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["mention", "quote", "watched_post"])
def test_mention_quote_and_watched_post_emails_can_be_answered_too(kind, member, neighbour):
    from chapterhouse.discussions.markup import mention_token, quote
    from chapterhouse.discussions.models import Level

    set_email_preferences(member=member, choices={kind: True})
    thread = make_thread(neighbour if kind != "quote" else member)
    if kind == "watched_post":
        discussions.set_thread_level(thread=thread, member=member, level=Level.WATCHING)
    mail.outbox.clear()
    body = {"mention": f"Ask {mention_token(member)}", "quote": quote(first_post(thread)) + "Yes",
            "watched_post": "News"}[kind]
    post = discussions.reply(thread=thread, author=neighbour, body=body)
    [email] = [m for m in mail.outbox if m.to == [member.user.email]]
    assert replies.read_address(email.reply_to[0]) == replies.ReplyTarget(
        member.public_id, "post", post.public_id)
