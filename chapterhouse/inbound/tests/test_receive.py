"""Processing a reply by email (services.receive): posted in the right thread as its
author, or refused with a reason and nothing stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.discussions import services as discussions
from chapterhouse.discussions.models import BODY_MAX_LENGTH, Post
from chapterhouse.inbound import services
from chapterhouse.inbound.models import ReceivedReply
from chapterhouse.notifications import replies
from chapterhouse.notifications.models import Kind, Notification

from .conftest import DOMAIN, eml, plain

pytestmark = pytest.mark.django_db


def refused(message, *, language=None):
    posts = Post.objects.count()
    with pytest.raises(services.ReplyRefused) as caught:
        services.receive(message=message, language=language)
    assert Post.objects.count() == posts
    assert not ReceivedReply.objects.exists()
    return caught.value


@pytest.mark.parametrize("fixture", [
    "gmail_plain.eml", "multipart_alternative.eml", "outlook_html_only.eml",
    "outlook_plain.eml",
])
def test_a_reply_is_posted_in_the_thread_as_its_author(member, neighbour, answered, fixture):
    thread, post, address = answered
    received = services.receive(message=eml(fixture, to=address, sender=member.user.email))
    new = Post.objects.latest("pk")
    assert new.thread == thread and new.author == member and new.reply_to == post
    assert received.url == new.get_absolute_url() and not received.duplicate
    assert "wrote" not in new.body and ">" not in new.body and new.body.strip()
    # Nell is told of Ada's answer, as for a reply on the site.
    assert Notification.objects.filter(recipient=neighbour, kind=Kind.REPLY).exists()
    assert ReceivedReply.objects.get().member == member


def test_the_envelope_recipient_is_enough(member, answered):
    _thread, _post, address = answered
    message = plain(to="ada-alias@example.org", sender=member.user.email, body="Yes.")
    services.receive(message=message, recipients=[address])
    assert Post.objects.latest("pk").body == "Yes."


def test_the_sender_address_is_compared_without_case(member, answered):
    _thread, _post, address = answered
    services.receive(message=plain(to=address, sender=f"Ada <{member.user.email.upper()}>",
                                   body="Yes."))
    assert Post.objects.latest("pk").author == member


def test_a_message_delivered_twice_is_posted_once(member, answered):
    _thread, _post, address = answered
    message = plain(to=address, sender=member.user.email, body="Only once.")
    first = services.receive(message=message)
    again = services.receive(message=message)
    assert again.duplicate and again.url == first.url
    assert Post.objects.filter(body="Only once.").count() == 1


def test_a_reply_from_another_address_is_refused(member, outsider, answered):
    _thread, _post, address = answered
    error = refused(plain(to=address, sender=outsider.user.email, body="Hijack."))
    assert error.reason == "sender" and error.member == member
    assert "only from the email address the notice was sent to" in error.message


def test_an_unverified_address_of_the_member_is_not_enough(member, answered):
    from allauth.account.models import EmailAddress

    _thread, _post, address = answered
    EmailAddress.objects.create(user=member.user, email="ada-new@example.org", verified=False)
    assert refused(plain(to=address, sender="ada-new@example.org", body="Hi.")).reason == "sender"


def test_a_second_verified_address_of_the_member_is_accepted(member, answered):
    from allauth.account.models import EmailAddress

    _thread, _post, address = answered
    EmailAddress.objects.create(user=member.user, email="ada-work@example.org", verified=True)
    services.receive(message=plain(to=address, sender="ada-work@example.org", body="From work."))
    assert Post.objects.latest("pk").body == "From work."


def test_two_senders_are_refused(member, answered):
    _thread, _post, address = answered
    message = plain(to=address, sender=f"{member.user.email}, eve@example.org", body="Hi.")
    assert refused(message).reason == "sender"


def test_a_forged_address_is_refused(member, answered):
    _thread, _post, address = answered
    local = address.split("@")[0]
    forged = local[:-3] + ("aaa" if not local.endswith("aaa") else "bbb") + "@" + DOMAIN
    error = refused(plain(to=forged, sender=member.user.email, body="Forged."))
    assert error.reason == "forged" and error.smtp == (550, "5.7.1")


def test_an_address_of_another_member_is_refused_to_this_one(member, neighbour, answered):
    _thread, post, _address = answered
    # A valid address, but Nell's: Ada cannot post as Nell with it.
    nells = replies.address_for(neighbour.public_id, "post", post.public_id)
    assert refused(plain(to=nells, sender=member.user.email, body="As Nell?")).reason == "sender"


def test_mail_to_no_reply_address_is_refused():
    error = refused(plain(to="someone@example.org", sender="x@example.org", body="Hi"))
    assert error.reason == "unknown" and error.smtp == (550, "5.1.1")


def test_everything_is_refused_when_replies_by_email_are_off(settings, member, answered):
    _thread, _post, address = answered
    settings.REPLY_DOMAIN = ""
    assert refused(plain(to=address, sender=member.user.email, body="Hi")).reason == "off"


def test_a_reply_that_is_only_a_quote_is_refused(member, answered):
    _thread, _post, address = answered
    body = ("On Mon, 7 Dec 2026 at 10:00, Chapterhouse <noreply@x.org> wrote:\n"
            "> Nell replied to you.\n\n-- \nAda\n")
    error = refused(plain(to=address, sender=member.user.email, body=body))
    assert error.reason == "empty" and "above the quoted text" in error.message


def test_an_oversized_reply_is_refused(member, answered):
    _thread, _post, address = answered
    error = refused(plain(to=address, sender=member.user.email, body="x" * (BODY_MAX_LENGTH + 1)))
    assert error.reason == "target" and "at most" in error.message


def test_a_reply_in_a_locked_thread_is_refused(member, facilitator, answered):
    thread, _post, address = answered
    discussions.lock_thread(thread=thread, actor=facilitator)
    error = refused(plain(to=address, sender=member.user.email, body="Still here?"))
    assert error.reason == "target" and "locked" in error.message


def test_a_member_who_moved_away_may_no_longer_post_there(member, outsider, answered):
    thread, post, _address = answered
    # An address for the outsider (who may read but not post in Hackney's forum).
    address = replies.address_for(outsider.public_id, "post", post.public_id)
    error = refused(plain(to=address, sender=outsider.user.email, body="Hello London"))
    assert error.reason == "target" and "Only members of this chapter" in error.message


def test_a_reply_to_a_deleted_post_is_refused(member, answered):
    _thread, post, address = answered
    Post.objects.filter(pk=post.pk).delete()
    error = refused(plain(to=address, sender=member.user.email, body="Hm."))
    assert error.reason == "target" and "no longer exists" in error.message


def test_a_deactivated_member_is_refused(member, answered):
    _thread, _post, address = answered
    member.user.is_active = False
    member.user.save()
    assert refused(plain(to=address, sender=member.user.email, body="Hi")).reason == "gone"


def test_automatic_replies_are_refused_without_a_bounce(member, answered):
    _thread, _post, address = answered
    message = plain(to=address, sender=member.user.email, body="I am away until Monday.",
                    Auto_Submitted="auto-replied")
    error = refused(message)
    assert error.reason == "automatic" and not error.bounce


def test_replies_are_limited_per_member_and_hour(settings, member, answered):
    _thread, _post, address = answered
    settings.REPLY_RATE_PER_HOUR = 2
    for number in range(2):
        services.receive(message=plain(to=address, sender=member.user.email, body=f"n{number}"))
    posts = Post.objects.count()
    with pytest.raises(services.ReplyRefused) as caught:
        services.receive(message=plain(to=address, sender=member.user.email, body="third"))
    assert caught.value.reason == "rate" and caught.value.smtp == (450, "4.7.1")
    assert Post.objects.count() == posts and ReceivedReply.objects.count() == 2
    # An hour later the member may reply again.
    ReceivedReply.objects.update(received_at=timezone.now() - timedelta(hours=2))
    services.receive(message=plain(to=address, sender=member.user.email, body="later"))
    assert Post.objects.latest("pk").body == "later"


def test_refusals_are_in_the_members_language(member, facilitator, answered):
    # (A sentence the catalogue already has: new ones are translated at merge.)
    thread, _post, address = answered
    discussions.lock_thread(thread=thread, actor=facilitator)
    member.languages = ["es"]
    member.save()
    error = refused(plain(to=address, sender=member.user.email, body="Hola"))
    assert error.message == "Este hilo está cerrado: no admite mensajes nuevos."
    english = refused(plain(to=address, sender=member.user.email, body="Hi"), language="en")
    assert english.message == "This thread is locked: no new posts."
