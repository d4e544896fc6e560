"""Replies arriving through an email provider's inbound webhook (django-anymail): a
Mailgun "forward" route posting the raw MIME message, signed with the webhook signing
key, behind the webhook's basic-auth secret; and Postmark's parsed JSON."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail

from chapterhouse.discussions import services as discussions
from chapterhouse.discussions.models import Post
from chapterhouse.inbound.models import ReceivedReply

from .conftest import eml, plain

pytestmark = pytest.mark.django_db

SIGNING_KEY = "key-0123456789abcdef"
SECRET = "anymail:webhook-secret"
MAILGUN = "/anymail/mailgun/inbound_mime/"
POSTMARK = "/anymail/postmark/inbound/"


@pytest.fixture(autouse=True)
def _anymail(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def mailgun(client, message, recipient, *, key=SIGNING_KEY, secret=SECRET):
    timestamp, token = str(int(time.time())), "f" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(),
                         hashlib.sha256).hexdigest()
    return client.post(MAILGUN, {
        "body-mime": message.as_string(), "recipient": recipient,
        "sender": str(message["From"]), "timestamp": timestamp, "token": token,
        "signature": signature,
    }, **auth(secret))


def bounces_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_a_reply_through_mailgun_is_posted(client, member, answered):
    thread, post, address = answered
    mail.outbox.clear()
    message = eml("multipart_alternative.eml", to=address, sender=member.user.email)
    response = mailgun(client, message, address)
    assert response.status_code == 200
    new = Post.objects.latest("pk")
    assert (new.thread, new.author, new.reply_to, new.body) == (
        thread, member, post, "Count me in for Saturday.\n\nAda")
    assert not bounces_to(member.user.email)


def test_a_reply_through_postmark_is_posted(client, member, answered):
    _thread, post, address = answered
    payload = {
        "FromFull": {"Email": member.user.email, "Name": "Ada Member"},
        "ToFull": [{"Email": address, "Name": ""}], "OriginalRecipient": address,
        "Subject": "Re: Nell replied to you", "MessageID": "73e6d360-66eb-11e1-8e72",
        "Date": "Mon, 7 Dec 2026 12:00:00 +0000",
        "TextBody": "Agreed!\n\nOn Mon, 7 Dec 2026 at 11:00, Chapterhouse wrote:\n> Nell",
        "HtmlBody": "<p>Agreed!</p><blockquote>Nell</blockquote>",
        "Headers": [{"Name": "Message-ID", "Value": "<CAF-postmark@mail.gmail.com>"}],
        "Attachments": [],
    }
    response = client.post(POSTMARK, json.dumps(payload), content_type="application/json",
                           **auth())
    assert response.status_code == 200
    new = Post.objects.latest("pk")
    assert (new.author, new.reply_to, new.body) == (member, post, "Agreed!")


def test_a_refused_reply_is_answered_by_email_and_nothing_is_stored(client, member,
                                                                    facilitator, answered):
    thread, _post, address = answered
    discussions.lock_thread(thread=thread, actor=facilitator)
    member.languages = ["es"]
    member.save()
    mail.outbox.clear()
    posts = Post.objects.count()
    response = mailgun(client, plain(to=address, sender=member.user.email, body="¿Y ahora?"),
                       address)
    assert response.status_code == 200  # or the provider would send it again and again
    assert Post.objects.count() == posts and not ReceivedReply.objects.exists()
    [bounce] = bounces_to(member.user.email)
    # In the member's language (the sentence of the refusal is in the catalogue already).
    assert "Este hilo está cerrado: no admite mensajes nuevos." in bounce.body


def test_a_reply_from_a_stranger_is_answered_to_the_stranger(client, member, answered):
    _thread, _post, address = answered
    mail.outbox.clear()
    mailgun(client, plain(to=address, sender="eve@example.org", body="Let me in"), address)
    assert not Post.objects.filter(body="Let me in").exists()
    [bounce] = bounces_to("eve@example.org")
    assert "only from the email address the notice was sent to" in bounce.body
    assert not bounces_to(member.user.email)


def test_bounces_to_one_address_are_limited(client, answered):
    _thread, _post, address = answered
    mail.outbox.clear()
    for number in range(8):
        mailgun(client, plain(to=address, sender="eve@example.org", body=f"n{number}"), address)
    assert len(bounces_to("eve@example.org")) == 5


def test_an_automatic_reply_is_not_answered(client, member, answered):
    _thread, _post, address = answered
    mail.outbox.clear()
    message = plain(to=address, sender=member.user.email, body="Out of office",
                    Auto_Submitted="auto-replied")
    assert mailgun(client, message, address).status_code == 200
    assert not Post.objects.filter(body="Out of office").exists()
    assert not bounces_to(member.user.email)


def test_a_forged_mailgun_signature_is_refused(client, member, answered):
    _thread, _post, address = answered
    mail.outbox.clear()
    posts = Post.objects.count()
    message = plain(to=address, sender=member.user.email, body="Forged webhook")
    response = mailgun(client, message, address, key="key-not-the-right-one")
    assert response.status_code == 400
    assert Post.objects.count() == posts and not mail.outbox


def test_the_webhook_secret_is_required(client, member, answered):
    _thread, _post, address = answered
    posts = Post.objects.count()
    message = plain(to=address, sender=member.user.email, body="No secret")
    response = mailgun(client, message, address, secret="anymail:wrong")
    assert response.status_code == 400
    assert Post.objects.count() == posts


def test_spam_flagged_by_the_provider_is_dropped(client, member, answered):
    _thread, _post, address = answered
    mail.outbox.clear()
    message = plain(to=address, sender=member.user.email, body="Buy now", X_Mailgun_Sflag="Yes")
    assert mailgun(client, message, address).status_code == 200
    assert not Post.objects.filter(body="Buy now").exists() and not mail.outbox
