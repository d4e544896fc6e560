import email
import email.policy
from pathlib import Path
from string import Template

import pytest
from django.core import mail

from chapterhouse.discussions import services as discussions
from chapterhouse.discussions.tests.factories import first_post, make_thread
from chapterhouse.notifications.services import set_email_preferences

MAIL = Path(__file__).parent / "mail"
DOMAIN = "reply.example.org"


@pytest.fixture(autouse=True)
def _replies_on(settings):
    settings.REPLY_DOMAIN = DOMAIN


@pytest.fixture
def answered(member, neighbour):
    """Nell replied to Ada's thread: Ada got a notice email whose Reply-To answers it.
    Returns (thread, Nell's post, the Reply-To address of Ada's email)."""
    set_email_preferences(member=member, choices={"reply": True})
    thread = make_thread(member)
    mail.outbox.clear()
    post = discussions.reply(thread=thread, author=neighbour, body="The park!",
                             reply_to=first_post(thread))
    [notice] = [m for m in mail.outbox if m.to == [member.user.email]]
    [address] = notice.reply_to
    return thread, post, address


# As a mail program sends it: CRLF, long addresses left unfolded.
WIRE = email.policy.SMTP.clone(max_line_length=None)


def raw(name: str, *, to: str, sender: str) -> bytes:
    """A fixture message (tests/mail/<name>) to `to` from `sender`, as on the wire."""
    text = Template((MAIL / name).read_text()).substitute(to=to, sender=sender)
    return text.replace("\n", "\r\n").encode()


def eml(name: str, *, to: str, sender: str, **headers: str) -> email.message.EmailMessage:
    """A fixture message (tests/mail/<name>) to `to` from `sender`, as received, with
    any header replaced or added."""
    message = email.message_from_bytes(raw(name, to=to, sender=sender),
                                       policy=email.policy.default)
    for name_, value in headers.items():
        del message[name_.replace("_", "-")]
        message[name_.replace("_", "-")] = value
    return message


def plain(*, to: str, sender: str, body: str, **headers: str) -> email.message.EmailMessage:
    message = email.message.EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: a notice"
    message["Message-ID"] = email.utils.make_msgid(domain="example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message
