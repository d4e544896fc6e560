"""One-click unsubscribe (RFC 8058): a signed link per member and kinds, no login."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from chapterhouse.notifications.models import Delivery, EmailPreference, Kind
from chapterhouse.notifications.selectors import email_choices_for
from chapterhouse.notifications.services import notify, set_email_preferences
from chapterhouse.notifications.tests.factories import SAY, said
from chapterhouse.notifications.unsubscribe import SALT, UNSUBSCRIBE_MAX_AGE, link_for

pytestmark = pytest.mark.django_db


def _path(member, kinds):
    return link_for(member, kinds).removeprefix("http://127.0.0.1:8000")


def test_the_link_in_an_email_turns_that_kind_off_with_one_post_and_no_login(member):
    set_email_preferences(member=member, choices={"reply": "each"})
    mail.outbox.clear()
    notify(recipients=[member], kind=Kind.REPLY, message=SAY, params=said("A reply"))
    [email] = mail.outbox
    path = email.extra_headers["List-Unsubscribe"][1:-1].removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)  # a mail client: no session, no CSRF token
    page = client.get(path)
    assert page.status_code == 200 and "Someone replied to your post" in page.content.decode()
    assert email_choices_for(member)[Kind.REPLY] == Delivery.EACH  # GET changes nothing
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert email_choices_for(member)[Kind.REPLY] == Delivery.OFF
    assert email_choices_for(member)[Kind.WELCOME] == Delivery.EACH  # only that kind
    assert client.post(path).status_code == 200  # twice: the same


def test_a_digest_link_turns_off_every_kind_it_was_about(member):
    set_email_preferences(member=member, choices={"reply": "weekly", "quote": "weekly"})
    Client().post(_path(member, ["reply", "quote"]))
    chosen = email_choices_for(member)
    assert chosen[Kind.REPLY] == chosen[Kind.QUOTE] == Delivery.OFF


@pytest.mark.parametrize("change", ["forged", "altered", "unknown kind", "no member"])
def test_a_forged_or_altered_link_is_refused_and_changes_nothing(member, change):
    token = _path(member, ["welcome"]).split("/")[-2]
    if change == "forged":
        token = signing.dumps({"m": str(member.public_id), "k": ["welcome"]}, salt=SALT,
                              key="not the site's secret")
    elif change == "altered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif change == "unknown kind":
        token = signing.dumps({"m": str(member.public_id), "k": ["free_pizza"]}, salt=SALT)
    else:
        token = signing.dumps({"m": "00000000-0000-0000-0000-000000000000",
                               "k": ["welcome"]}, salt=SALT)
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_an_expired_link_is_refused_and_changes_nothing(member):
    path = _path(member, ["welcome"])
    later = time.time() + UNSUBSCRIBE_MAX_AGE.total_seconds() + timedelta(
        days=1).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = Client().post(path)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_a_link_works_for_its_member_only_whoever_is_signed_in(member, outsider,
                                                               outsider_client):
    outsider_client.post(_path(member, ["welcome"]))
    assert email_choices_for(member)[Kind.WELCOME] == Delivery.OFF
    assert email_choices_for(outsider)[Kind.WELCOME] == Delivery.EACH
