"""One real delivery: a notice's email goes through a local SMTP server."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from chapterhouse.members.tests.factories import make_member


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(email.message_from_bytes(message.as_bytes(),
                                                      policy=email.policy.default))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.mark.django_db
def test_the_welcome_notice_is_delivered_over_smtp(smtp_server):
    member = make_member("Sam Smtp", city="London")
    # The first member of new chapters also gets the invitation to facilitate them.
    emailed = member.notifications.filter(emailed_at__isnull=False)
    assert emailed.count() == 2
    delivered = [m for m in smtp_server.messages if m["To"] == member.user.email]
    assert len(delivered) == 2
    bodies = [m.get_body(("plain",)).get_content() for m in delivered]
    htmls = [m.get_body(("html",)).get_content() for m in delivered]
    assert all(m.is_multipart() and "<html" in html for m, html in zip(delivered, htmls,
                                                                    strict=True))
    for message in delivered:  # RFC 8058 one-click unsubscribe, through a real server
        assert str(message["List-Unsubscribe"]).strip().startswith(
            "<http://127.0.0.1:8000/notifications/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert any("Welcome" in body and "Sam Smtp" in body for body in bodies)
