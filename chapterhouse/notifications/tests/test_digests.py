"""Email per notice or as a daily or weekly digest, both with HTML and plain-text parts,
in the member's language, with the RFC 8058 one-click unsubscribe headers."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from chapterhouse.notifications.messages import render
from chapterhouse.notifications.models import Digest, EmailStatus, Kind, Notification
from chapterhouse.notifications.services import (
    digest_period,
    gather_digests,
    notify,
    set_email_preferences,
)
from chapterhouse.notifications.tasks import send_digest_emails
from chapterhouse.notifications.tests.factories import SAY, said

pytestmark = pytest.mark.django_db

JOINED = {"name": "Ana", "chapter": "Leeds"}


def _tell(member, text, kind=Kind.REPLY):
    [notice] = notify(recipients=[member], kind=kind, message=SAY, params=said(text),
                      url="/c/gb/")
    return notice


def _digests_to(member):
    return [m for m in mail.outbox if m.to == [member.user.email] and "digest" in m.subject]


def _parts(message):
    return message.body, dict((mime, body) for body, mime in message.alternatives)["text/html"]


def test_a_notice_email_has_both_parts_the_members_language_and_one_click_unsubscribe(member):
    member.languages = ["fr"]
    member.save(update_fields=["languages"])
    set_email_preferences(member=member, choices={"member_joined": "each"})
    mail.outbox.clear()
    notify(recipients=[member], kind=Kind.MEMBER_JOINED, message="members.joined",
           params=JOINED, url="/c/gb/")
    [email] = mail.outbox
    text, html = _parts(email)
    with translation.override("fr"):
        french = render("members.joined", JOINED)
    assert french != render("members.joined", JOINED)
    assert french in text and french in html and "<html lang=\"fr\"" in html
    assert email.extra_headers["Content-Language"] == "fr"
    link = email.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link[1:-1] in text and link[1:-1] in html
    assert "http://127.0.0.1:8000/c/gb/" in text and 'href="http://127.0.0.1:8000/c/gb/"' in html


def test_a_notice_of_a_digest_kind_is_not_emailed_on_its_own(member):
    set_email_preferences(member=member, choices={"reply": "daily"})
    mail.outbox.clear()
    notice = _tell(member, "A reply")
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.NOT_SENT


def test_a_daily_digest_gathers_the_days_notices_once_run_twice(member):
    set_email_preferences(member=member, choices={"reply": "daily", "quote": "daily"})
    first, second = _tell(member, "First reply"), _tell(member, "A quote", Kind.QUOTE)
    read = _tell(member, "Already read")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    mail.outbox.clear()

    made = gather_digests()
    assert len(made) == 1
    again = gather_digests()  # run twice: one digest, one email
    assert again == []
    [email] = _digests_to(member)
    assert email.subject.endswith("Your daily digest: 2 notices")
    text, html = _parts(email)
    assert "First reply" in text and "A quote" in text and "Already read" not in text
    assert "First reply" in html and "A quote" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    digest = Digest.objects.get()
    assert set(digest.notices.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert digest.email_status == EmailStatus.SENT
    assert set(Notification.objects.filter(pk__in=[first.pk, second.pk])
               .values_list("email_status", flat=True)) == {EmailStatus.DIGESTED}
    # Sending it again sends nothing more.
    assert send_digest_emails.call([digest.pk]) == 0
    assert len(_digests_to(member)) == 1


def test_notices_after_the_digest_wait_for_the_next_day(member):
    set_email_preferences(member=member, choices={"reply": "daily"})
    _tell(member, "Monday's reply")
    gather_digests()
    later = _tell(member, "A later reply")
    assert gather_digests() == []
    [made] = gather_digests(now=timezone.now() + timedelta(days=1))
    assert list(Digest.objects.get(pk=made).notices.all()) == [later]
    assert len(_digests_to(member)) == 2


def test_a_weekly_digest_is_one_per_iso_week(member):
    set_email_preferences(member=member, choices={"reply": "weekly"})
    _tell(member, "A reply")
    monday = datetime(2026, 12, 7, 9, tzinfo=timezone.get_current_timezone())
    assert digest_period("weekly", monday + timedelta(days=3)) == monday.date()
    assert len(gather_digests(now=timezone.now())) == 1
    _tell(member, "Another reply")
    assert gather_digests(now=timezone.now()) == []
    [email] = _digests_to(member)
    assert "weekly digest: 1 notice" in email.subject


def test_a_member_with_nothing_to_tell_gets_no_digest(member, outsider):
    set_email_preferences(member=member, choices={"reply": "daily"})
    _tell(outsider, "Not for the member")
    _tell(member, "A welcome-like notice", Kind.MEMBER_JOINED)  # a kind not in the digest
    mail.outbox.clear()
    assert gather_digests() == []
    assert mail.outbox == []


def test_the_digest_is_in_the_members_language(member):
    member.languages = ["es"]
    member.save(update_fields=["languages"])
    set_email_preferences(member=member, choices={"member_joined": "daily"})
    notify(recipients=[member], kind=Kind.MEMBER_JOINED, message="members.joined",
           params=JOINED)
    gather_digests()
    # (The subject's new strings are not compiled yet: it is found by what it carries.)
    [email] = [m for m in mail.outbox if m.to == [member.user.email] and "Leeds" in m.body]
    with translation.override("es"):
        spanish = render("members.joined", JOINED)
    assert spanish in email.body and email.extra_headers["Content-Language"] == "es"


def test_the_command_gathers_digests_and_says_how_many(member, capsys):
    set_email_preferences(member=member, choices={"reply": "daily"})
    _tell(member, "A reply")
    call_command("send_digests")
    call_command("send_digests")
    out = capsys.readouterr().out
    assert "queued 1 digests" in out and "queued 0 digests" in out
    assert len(_digests_to(member)) == 1


def test_the_worker_schedules_its_next_daily_run_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "email"]}}
    from django_tasks_db.models import DBTaskResult

    from chapterhouse.notifications.tasks import DIGEST_HOUR, schedule_digests, send_digests

    assert schedule_digests() is True
    assert schedule_digests() is False  # started twice: one run waits
    [waiting] = DBTaskResult.objects.filter(task_path=send_digests.module_path)
    when = timezone.localtime(waiting.run_after)
    assert (when.hour, when.minute) == (DIGEST_HOUR, 0) and when > timezone.now()
    assert waiting.args_kwargs["args"] == [True]
