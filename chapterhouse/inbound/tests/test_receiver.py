"""The LMTP/SMTP receiver (manage.py receive_mail) over real sockets: a mail server
hands it replies with smtplib's LMTP (and SMTP) client; refusals are SMTP errors."""

import smtplib
import socket
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from chapterhouse.discussions.models import Post
from chapterhouse.inbound import receiver
from chapterhouse.inbound.models import ReceivedReply

from .conftest import DOMAIN, WIRE, plain, raw

# The receiver's threads use their own database connections: committed data only.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def lmtp():
    """A receiver running as receive_mail runs it (receiver.serve, until stopped)."""
    port, stop = free_port(), threading.Event()
    thread = threading.Thread(target=receiver.serve, args=("127.0.0.1", port),
                              kwargs={"lmtp": True, "until": stop}, daemon=True)
    thread.start()
    for _attempt in range(100):  # until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            threading.Event().wait(0.05)
    yield port
    stop.set()
    thread.join(5)


def deliver(port, message, recipient, *, lmtp=True):
    """Hand `message` (bytes as on the wire, or a message) over as a mail server does."""
    data = message if isinstance(message, bytes) else message.as_bytes(policy=WIRE)
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
    try:
        return client.sendmail("bounces@example.org", [recipient], data)
    finally:
        client.quit()


def test_a_reply_over_lmtp_is_posted(lmtp, member, answered):
    thread, post, address = answered
    message = raw("gmail_plain.eml", to=address, sender=member.user.email)
    assert deliver(lmtp, message, address) == {}
    new = Post.objects.latest("pk")
    assert (new.thread, new.author, new.reply_to) == (thread, member, post)
    assert new.body.startswith("The park, then.")


def test_a_forged_address_is_refused_at_rcpt(lmtp, member, answered):
    _thread, _post, address = answered
    forged = address.split("@")[0][:-2] + "zz@" + DOMAIN
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        deliver(lmtp, plain(to=forged, sender=member.user.email, body="Hi"), forged)
    code, text = caught.value.recipients[forged]
    assert code == 550 and b"5.1.1" in text
    assert not ReceivedReply.objects.exists()


def test_a_wrong_sender_is_refused_with_550_5_7_1(lmtp, member, answered):
    _thread, _post, address = answered
    posts = Post.objects.count()
    with pytest.raises(smtplib.SMTPDataError) as caught:
        deliver(lmtp, plain(to=address, sender="eve@example.org", body="Let me in"), address)
    assert caught.value.smtp_code == 550
    assert caught.value.smtp_error == (
        b"5.7.1 Replies are accepted only from the email address the notice was sent to.")
    assert Post.objects.count() == posts and not ReceivedReply.objects.exists()


def test_an_empty_reply_is_refused_with_a_clear_reason(lmtp, member, answered):
    _thread, _post, address = answered
    body = "On Mon, 7 Dec 2026 at 10:00, Chapterhouse <x@y.org> wrote:\n> quoted\n"
    with pytest.raises(smtplib.SMTPDataError) as caught:
        deliver(lmtp, plain(to=address, sender=member.user.email, body=body), address)
    assert caught.value.smtp_code == 550 and b"above the quoted text" in caught.value.smtp_error


def test_a_member_over_the_limit_is_told_to_try_later(settings, lmtp, member, answered):
    _thread, _post, address = answered
    settings.REPLY_RATE_PER_HOUR = 1
    deliver(lmtp, plain(to=address, sender=member.user.email, body="one"), address)
    with pytest.raises(smtplib.SMTPDataError) as caught:
        deliver(lmtp, plain(to=address, sender=member.user.email, body="two"), address)
    assert caught.value.smtp_code == 450  # temporary: the mail server tries again later
    assert not Post.objects.filter(body="two").exists()


def test_one_recipient_per_message(lmtp, member, answered):
    _thread, _post, address = answered
    client = smtplib.LMTP("127.0.0.1", lmtp)
    try:
        client.ehlo_or_helo_if_needed()
        client.mail(member.user.email)
        assert client.rcpt(address)[0] == 250
        assert client.rcpt(address)[0] == 452
    finally:
        client.quit()


def test_an_oversized_message_is_refused(settings, member, answered):
    settings.REPLY_MAX_MESSAGE_BYTES = 2000
    _thread, _post, address = answered
    port = free_port()
    controller = receiver.start("127.0.0.1", port, lmtp=False)
    try:
        # Refused at MAIL FROM (SIZE, as smtplib announces it) or after DATA.
        with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as caught:
            deliver(port, plain(to=address, sender=member.user.email, body="x" * 5000),
                    address, lmtp=False)
        assert caught.value.smtp_code == 552
    finally:
        controller.stop()
    assert not Post.objects.filter(author=member, body__startswith="xxx").exists()


def test_the_smtp_flavour_posts_too(member, answered):
    _thread, post, address = answered
    port = free_port()
    controller = receiver.start("127.0.0.1", port, lmtp=False)
    try:
        message = raw("outlook_html_only.eml", to=address, sender=member.user.email)
        assert deliver(port, message, address, lmtp=False) == {}
    finally:
        controller.stop()
    new = Post.objects.latest("pk")
    assert new.reply_to == post and new.body.startswith("Très bien")


def test_the_command_needs_a_reply_domain(settings):
    settings.REPLY_DOMAIN = ""
    with pytest.raises(CommandError, match="REPLY_DOMAIN"):
        call_command("receive_mail", stdout=StringIO())
