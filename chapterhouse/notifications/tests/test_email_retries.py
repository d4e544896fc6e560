"""A notice's email survives a mail server that is down, hung or refusing: it is kept in
the data, retried with back-off, sent once, and shown as not delivered when given up."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chapterhouse.members.models import User
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import EmailStatus, Kind, Notification
from chapterhouse.notifications.services import claim_email, notify, retry_due_emails
from chapterhouse.notifications.tasks import send_notification_emails
from chapterhouse.notifications.tests.backends import DownBackend, RefusingBackend
from chapterhouse.notifications.tests.factories import SAY, said

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def server_down(settings):
    """The mail server goes down (after the personas' welcome emails went out)."""
    settings.EMAIL_BACKEND = "chapterhouse.notifications.tests.backends.DownBackend"
    DownBackend.connections = 0
    mail.outbox.clear()


@pytest.fixture
def database_tasks(settings):
    """The production task backend: enqueueing is an INSERT, nothing runs by itself."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }


def notice_for(*members, text="Voting opened") -> list[Notification]:
    """A notice emailed by default (voting opened) to each of `members`."""
    notices = notify(recipients=members, kind=Kind.VOTING_OPENED, message=SAY, params=said(text))
    return list(Notification.objects.filter(pk__in=[n.pk for n in notices]).order_by("pk"))


def time_passes(*rows) -> None:
    """The retry of `rows` (or the claim on them) falls due."""
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(email_due_at=timezone.now())


def test_a_failed_send_is_kept_in_the_data_for_a_retry_after_the_first_delay(
    member, server_down
):
    before = timezone.now()
    [notice] = notice_for(member)
    assert notice.email_status == EmailStatus.RETRYING
    assert notice.email_attempts == 1
    assert notice.email_due_at is not None
    assert before + timedelta(seconds=60) <= notice.email_due_at
    assert notice.email_due_at <= timezone.now() + timedelta(seconds=60)
    assert "ConnectionRefusedError" in notice.email_error
    assert notice.emailed_at is None
    assert mail.outbox == []


def test_a_retry_that_is_not_due_sends_nothing(member, server_down, settings):
    [notice] = notice_for(member)
    settings.EMAIL_BACKEND = LOCMEM
    assert send_notification_emails.call([notice.pk]) == 0
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.RETRYING


def test_a_due_retry_delivers_the_email_once_the_server_is_back(member, server_down, settings):
    [notice] = notice_for(member)
    settings.EMAIL_BACKEND = LOCMEM
    time_passes(notice)
    assert retry_due_emails() == 1
    assert [m.to for m in mail.outbox] == [[member.user.email]]
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENT
    assert (notice.email_attempts, notice.email_error, notice.email_due_at) == (2, "", None)
    assert notice.emailed_at is not None
    # Nothing is due any more; asking again sends nothing.
    assert retry_due_emails() == 0
    assert send_notification_emails.call([notice.pk]) == 0
    assert len(mail.outbox) == 1


def test_the_retries_follow_the_configured_delays_then_the_email_is_given_up(
    member, server_down, settings
):
    settings.EMAIL_RETRY_DELAYS = [5, 300]
    [notice] = notice_for(member)
    first_due = notice.email_due_at
    assert first_due is not None
    time_passes(notice)
    started = timezone.now()
    retry_due_emails()
    notice.refresh_from_db()
    assert (notice.email_status, notice.email_attempts) == (EmailStatus.RETRYING, 2)
    assert notice.email_due_at is not None
    assert notice.email_due_at >= started + timedelta(seconds=300)
    assert first_due < notice.email_due_at
    time_passes(notice)
    retry_due_emails()
    notice.refresh_from_db()
    assert (notice.email_status, notice.email_attempts) == (EmailStatus.FAILED, 3)
    assert notice.email_due_at is None
    assert "ConnectionRefusedError" in notice.email_error
    assert retry_due_emails() == 0
    assert DownBackend.connections == 3


def test_the_member_sees_that_a_notices_email_was_not_delivered(
    member, member_client, server_down, settings
):
    settings.EMAIL_RETRY_DELAYS = []  # no retry: given up at the first failure
    [notice] = notice_for(member, text="The vote on bikes is open")
    assert notice.email_status == EmailStatus.FAILED
    html = member_client.get(reverse("notifications:list")).content.decode()
    assert html.count("email not delivered") == 1
    row = html[html.index(f'id="notice-{notice.public_id}"'):]
    assert row[:row.index("</li>")].count("email not delivered") == 1


def test_staff_list_the_notices_whose_email_was_not_delivered(member, server_down, settings):
    settings.EMAIL_RETRY_DELAYS = []
    [failed] = notice_for(member)
    staff = Client()
    staff.force_login(User.objects.create_superuser("root@example.org", "x"))
    url = reverse("admin:notifications_notification_changelist")
    response = staff.get(url, {"email_status__exact": "failed"})
    assert response.status_code == 200
    assert [n.pk for n in response.context["cl"].result_list] == [failed.pk]
    assert "not delivered" in response.content.decode()


def test_a_server_that_is_down_is_tried_once_per_run_not_once_per_email(
    member, facilitator, outsider, server_down
):
    notices = notice_for(member, facilitator, outsider)
    assert DownBackend.connections == 1
    assert {n.email_status for n in notices} == {EmailStatus.RETRYING}
    assert {n.email_attempts for n in notices} == {1}
    assert [n.email_error.startswith("Not tried after: ConnectionRefusedError")
            for n in notices] == [False, True, True]


def test_a_refused_address_does_not_hold_back_the_others(member, outsider, settings):
    settings.EMAIL_BACKEND = "chapterhouse.notifications.tests.backends.RefusingBackend"
    RefusingBackend.refused = {member.user.email}
    refused, delivered = notice_for(member, outsider)
    assert refused.email_status == EmailStatus.RETRYING
    assert "SMTPRecipientsRefused" in refused.email_error
    assert delivered.email_status == EmailStatus.SENT
    assert [m.to for m in mail.outbox][-1] == [outsider.user.email]


def test_an_email_another_worker_is_sending_is_left_to_it_until_its_claim_expires(member):
    [notice] = notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY, params=said("Hi"))
    mail.outbox.clear()
    assert claim_email(notice, now=timezone.now())  # another worker is sending it
    assert not claim_email(notice, now=timezone.now())
    assert send_notification_emails.call([notice.pk]) == 0
    assert mail.outbox == []
    time_passes(notice)  # that worker died: its claim expired
    assert send_notification_emails.call([notice.pk]) == 1
    assert len(mail.outbox) == 1


def test_the_send_task_queues_its_own_retry_for_when_it_is_due(
    member, database_tasks, server_down
):
    [notice] = notify(recipients=[member], kind=Kind.VOTING_OPENED,
                      message=SAY, params=said("Open"))
    sends = DBTaskResult.objects.filter(
        task_path="chapterhouse.notifications.tasks.send_notification_emails")
    assert sends.count() == 1  # queued with the notice, not run
    send_notification_emails.call([notice.pk])
    notice.refresh_from_db()
    retry = sends.order_by("enqueued_at").last()
    assert retry is not None
    assert sends.count() == 2
    assert retry.run_after == notice.email_due_at
    assert retry.args_kwargs == {"args": [[notice.pk]], "kwargs": {}}
    assert retry.queue_name == "email"


def test_the_sweep_command_queues_what_is_due(member, server_down, settings, capsys):
    [notice] = notice_for(member)
    settings.EMAIL_BACKEND = LOCMEM
    call_command("retry_emails")
    assert "queued 0 emails" in capsys.readouterr().out
    time_passes(notice)
    call_command("retry_emails")
    assert "queued 1 emails" in capsys.readouterr().out
    assert [m.to for m in mail.outbox] == [[member.user.email]]


def test_the_sweep_sends_what_a_worker_that_died_while_sending_left(member):
    [notice] = notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY, params=said("Hi"))
    mail.outbox.clear()
    claim_email(notice, now=timezone.now())  # and its worker was killed
    assert retry_due_emails() == 0  # its claim still holds
    time_passes(notice)
    assert retry_due_emails() == 1
    assert [m.to for m in mail.outbox] == [[member.user.email]]
    notice.refresh_from_db()
    assert notice.email_status == EmailStatus.SENT


def test_a_retry_for_an_account_deactivated_meanwhile_is_dropped(member, server_down, settings):
    [notice] = notice_for(member)
    member.user.is_active = False
    member.user.save()
    settings.EMAIL_BACKEND = LOCMEM
    time_passes(notice)
    assert retry_due_emails() == 1
    notice.refresh_from_db()
    assert (notice.email_status, notice.email_due_at) == (EmailStatus.NOT_SENT, None)
    assert retry_due_emails() == 0
    assert mail.outbox == []


class SlowBackend(RefusingBackend):
    """Takes a while per message, so that two workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_each_email_once(member, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises writers)")
    settings.EMAIL_BACKEND = "chapterhouse.notifications.tests.test_email_retries.SlowBackend"
    RefusingBackend.refused = set()
    others = [make_member(f"Member {i}", city="London") for i in range(9)]
    notices = notify(recipients=[member, *others], kind=Kind.MEMBER_JOINED,
                     message=SAY, params=lambda m: said(f"Hello {m.display_name}"))
    ids = [n.pk for n in notices]
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        barrier.wait()
        try:
            counts.append(send_notification_emails.call(ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == len(ids)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        n.recipient.user.email for n in Notification.objects.filter(pk__in=ids)
        .select_related("recipient__user"))
