"""allauth's emails (address confirmation, password reset) go through the task queue:
with the mail server down the pages still answer, say we'll email, and the emails
arrive once it is back."""

import re
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chapterhouse.members.models import Member
from chapterhouse.notifications.models import EmailStatus, OutgoingEmail
from chapterhouse.notifications.services import queue_email, retry_due_emails

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
DOWN = "chapterhouse.notifications.tests.backends.DownBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _link(pattern: str) -> str:
    [message] = mail.outbox
    found = re.search(rf"https?://testserver({pattern}\S+)", str(message.body))
    assert found is not None, message.body
    return found.group(1)


def the_server_comes_back(settings) -> None:
    settings.EMAIL_BACKEND = LOCMEM
    OutgoingEmail.objects.update(email_due_at=timezone.now())  # their retries fall due
    retry_due_emails()


def test_signing_up_while_the_mail_server_is_down_says_we_will_email(signup_data, settings):
    settings.EMAIL_BACKEND = DOWN
    browser = Client()
    response = browser.post(SIGNUP, signup_data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    page = unescape(response.content.decode())
    assert "We'll email you a link to confirm your address" in page
    assert "We'll email a confirmation link to nia@example.org." in page
    assert Member.objects.get().display_name == "Nia Newcomer"
    waiting = OutgoingEmail.objects.get(to="nia@example.org")
    assert waiting.email_status == EmailStatus.RETRYING
    assert "ConnectionRefusedError" in waiting.email_error
    assert mail.outbox == []

    the_server_comes_back(settings)
    link = _link("/accounts/confirm-email/")
    browser.post(link)
    assert EmailAddress.objects.get(email="nia@example.org").verified
    waiting.refresh_from_db()
    assert (waiting.email_status, waiting.email_attempts) == (EmailStatus.SENT, 2)


def test_a_password_reset_while_the_mail_server_is_down_is_sent_once_it_is_back(
    member, settings
):
    settings.EMAIL_BACKEND = DOWN
    mail.outbox.clear()
    response = Client().post("/accounts/password/reset/", {"email": member.user.email},
                             follow=True)
    assert response.status_code == 200
    assert "We'll email you a link to set a new password" in unescape(response.content.decode())
    assert OutgoingEmail.objects.get().email_status == EmailStatus.RETRYING

    the_server_comes_back(settings)
    link = _link("/accounts/password/reset/key/")
    browser = Client()
    form = browser.get(link, follow=True)
    new = {"password1": "a new and long passphrase", "password2": "a new and long passphrase"}
    assert browser.post(form.redirect_chain[-1][0], new).status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("a new and long passphrase")


def test_a_stored_email_is_sent_as_rendered_and_its_bodies_emptied_once_sent():
    message = EmailMultiAlternatives("Subject", "Text body", "from@example.org",
                                     ["a@example.org", "b@example.org"])
    message.attach_alternative("<p>HTML body</p>", "text/html")
    rows = queue_email(message=message)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    sent = mail.outbox[0]
    assert isinstance(sent, EmailMultiAlternatives)
    assert (sent.subject, sent.body, sent.from_email) == ("Subject", "Text body",
                                                          "from@example.org")
    assert sent.alternatives[0][0] == "<p>HTML body</p>"
    for row in OutgoingEmail.objects.filter(pk__in=[r.pk for r in rows]):
        assert (row.email_status, row.body, row.html) == (EmailStatus.SENT, "", "")
        assert row.subject == "Subject"


def test_an_html_only_email_stays_html(settings):
    message = EmailMultiAlternatives("Subject", "<p>Only HTML</p>", "f@example.org",
                                     ["a@example.org"])
    message.content_subtype = "html"
    queue_email(message=message)
    [sent] = mail.outbox
    assert (sent.content_subtype, sent.body) == ("html", "<p>Only HTML</p>")


def test_an_email_given_up_keeps_no_body(settings):
    settings.EMAIL_BACKEND = DOWN
    settings.EMAIL_RETRY_DELAYS = []
    [row] = queue_email(message=EmailMultiAlternatives("Reset", "a secret link",
                                                      "f@example.org", ["a@example.org"]))
    row.refresh_from_db()
    assert (row.email_status, row.body) == (EmailStatus.FAILED, "")
    assert "ConnectionRefusedError" in row.email_error


def test_staff_see_the_account_emails_not_delivered_without_their_bodies(settings):
    from chapterhouse.members.models import User

    settings.EMAIL_BACKEND = DOWN
    settings.EMAIL_RETRY_DELAYS = [60]
    [row] = queue_email(message=EmailMultiAlternatives("Reset", "a secret link",
                                                      "f@example.org", ["a@example.org"]))
    staff = Client()
    staff.force_login(User.objects.create_superuser("root@example.org", "x"))
    changelist = reverse("admin:notifications_outgoingemail_changelist")
    response = staff.get(changelist, {"email_status__exact": "retrying"})
    assert [r.pk for r in response.context["cl"].result_list] == [row.pk]
    detail = staff.get(reverse("admin:notifications_outgoingemail_change", args=[row.pk]))
    assert detail.status_code == 200
    assert "a secret link" not in detail.content.decode()
    assert Client().get(changelist).status_code == 302
