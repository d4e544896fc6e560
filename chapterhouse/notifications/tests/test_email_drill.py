"""Fault drill: a real SMTP server process and real task workers (manage.py db_worker).

The mail server is killed (SIGKILL) while notices, a sign-up confirmation and a password
reset are being sent, and started again: every email arrives, and arrives once. A hung
server (accepts the connection, never answers) costs a worker one EMAIL_TIMEOUT, with
no row of the database locked meanwhile. Back-off delays are short here (seconds).
"""

from __future__ import annotations

import mailbox
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from chapterhouse.lib.tasks import task_named
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import EmailStatus, Kind, Notification, OutgoingEmail
from chapterhouse.notifications.services import mark_read, notify
from chapterhouse.notifications.tests.factories import SAY, make_bare_members, said

pytestmark = [pytest.mark.drill,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEND_TASKS = ["chapterhouse.notifications.tasks.send_notification_emails",
              "chapterhouse.notifications.tasks.send_outgoing_emails"]
MANAGE = Path(django_settings.BASE_DIR).parent / "manage.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The test database, for other processes (a file on SQLite: see conftest)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}")


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll `condition` until true; returns the seconds it took, fails after `seconds`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not within {seconds} s: {what}; emails by state: {email_states()}")
        time.sleep(0.1)
    return time.monotonic() - start


def email_states() -> dict[str, object]:
    return {
        model.__name__: Counter(model.objects.values_list("email_status", "email_attempts"))
        for model in (Notification, OutgoingEmail)
    }


class Processes:
    """Starts the drill's processes (logs in tmp_path) and stops those still running."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path, self.env = tmp_path, env
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp_path / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
            cwd=MANAGE.parent)
        self.running.append(process)
        return process

    def smtp_server(self, port: int, maildir: Path) -> subprocess.Popen[bytes]:
        server = self.start("smtp", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                            "-c", "aiosmtpd.handlers.Mailbox", str(maildir))

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, 10, "the SMTP server listens")
        return server

    def worker(self, name: str, *options: str) -> subprocess.Popen[bytes]:
        return self.start(name, str(MANAGE), "db_worker", "--queue-name", "*",
                          "--no-startup-delay", "--no-reload", "--interval", "0.2", *options)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.kill()
            process.wait(10)
        for log in sorted(self.tmp_path.glob("*.log")):  # shown when the test fails
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def drill(tmp_path, settings) -> Iterator[tuple[Processes, int]]:
    """Processes sharing the test database and a mail server port; the test process
    queues its tasks in the database, as production does."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "email"]}}
    port = free_port()
    env = {**os.environ, "CHAPTERHOUSE_TESTING": "1", "DATABASE_URL": database_url(),
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "0", "EMAIL_HOST_USER": "",
           "EMAIL_HOST_PASSWORD": "", "EMAIL_TIMEOUT": "2",
           # Seconds, not hours; enough of them to outlast a slow machine's outage phase.
           "EMAIL_RETRY_DELAYS": ",".join(["1"] * 3 + ["2"] * 30)}
    processes = Processes(tmp_path, env)
    yield processes, port
    processes.stop_all()


def received(maildir: Path) -> Counter[tuple[str, str]]:
    """(recipient, subject) of every message the server stored, with repeats."""
    return Counter((str(m["To"]), " ".join(str(m["Subject"]).split()))
                   for m in mailbox.Maildir(maildir))


def emails_queued() -> tuple[set[int], set[int]]:
    """The notices and other emails that the queued send tasks are to send."""
    notices: set[int] = set()
    for args in DBTaskResult.objects.filter(task_path=SEND_TASKS[0]).values_list(
            "args_kwargs", flat=True):
        notices.update(args["args"][0])
    return notices, set(OutgoingEmail.objects.values_list("pk", flat=True))


def requeue_every_send() -> int:
    """Queue every send task a second time, as a hand requeue would: two workers then
    race over the same emails."""
    queued = list(DBTaskResult.objects.filter(task_path__in=SEND_TASKS)
                  .values_list("task_path", "args_kwargs"))
    for path, arguments in queued:
        task_named(path).enqueue(*arguments["args"], **arguments["kwargs"])
    return len(queued)


def confirmed_members(neighbour: Member, count: int) -> list[Member]:
    """`count` members beside `neighbour` with confirmed addresses, in bulk."""
    members = make_bare_members(neighbour, count)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m.user, email=m.user.email, verified=True, primary=True)
        for m in members)
    return members


def test_smtp_killed_then_back_every_email_arrives_once(drill, tmp_path):
    processes, port = drill
    maildir = tmp_path / "maildir"
    server = processes.smtp_server(port, maildir)
    workers = [processes.worker(f"worker-{i}") for i in range(2)]

    # Up: five members join; their welcome emails go out.
    members = [make_member(f"Drill Member {i}", city="London") for i in range(5)]
    welcomes, _other = emails_queued()
    wait_for(lambda: Notification.objects.filter(
        pk__in=welcomes, email_status=EmailStatus.SENT).count() == len(welcomes), 60,
        "the welcome emails are sent")

    # Down: the server is killed; a vote opens for everyone, one person signs up, one
    # asks for a password reset.
    server.send_signal(signal.SIGKILL)
    server.wait(10)
    members += confirmed_members(members[0], 170)
    notify(recipients=members, kind=Kind.VOTING_OPENED,
           message=SAY, params=lambda m: said(f"Voting opened for {m.display_name}"))
    signup = Client().post("/accounts/signup/", {
        "display_name": "Nia Newcomer", "email": "nia@example.org",
        "password1": "a long and unusual passphrase 42",
        "password2": "a long and unusual passphrase 42", "country": "GB",
        "region": "GB-ENG", "city": "London", "city_code": "", "neighbourhood": ""})
    assert signup.status_code == 302  # not a 500: the confirmation waits in the queue
    reset = Client().post("/accounts/password/reset/", {"email": members[0].user.email})
    assert reset.status_code == 302
    requeue_every_send()
    notices, outgoing = emails_queued()
    # The newcomer's own notices wait for their address to be confirmed, as always.
    held = set(Notification.objects.filter(recipient__user__email="nia@example.org")
               .values_list("pk", flat=True))
    notices -= held
    waiting = notices - welcomes
    assert (len(outgoing), len(waiting)) == (2, len(members))

    def all_tried_and_failed() -> bool:
        tried = Notification.objects.filter(pk__in=waiting, email_attempts__gte=1)
        tried_out = OutgoingEmail.objects.filter(email_attempts__gte=1)
        return tried.count() == len(waiting) and tried_out.count() == len(outgoing)

    wait_for(all_tried_and_failed, 60, "every email is tried while the server is down")
    assert not Notification.objects.filter(pk__in=waiting, emailed_at__isnull=False).exists()
    assert Notification.objects.filter(pk__in=waiting,
                                       email_status=EmailStatus.FAILED).count() == 0

    # Up again: everything still to send arrives.
    processes.smtp_server(port, maildir)
    def all_sent() -> bool:
        sent = Notification.objects.filter(pk__in=notices, email_status=EmailStatus.SENT)
        sent_out = OutgoingEmail.objects.filter(email_status=EmailStatus.SENT)
        return sent.count() == len(notices) and sent_out.count() == len(outgoing)

    recovery = wait_for(all_sent, 60, "every email is sent once the server is back")
    time.sleep(1)  # any retry still queued runs, and must send nothing more
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)

    assert not Notification.objects.filter(pk__in=held).exclude(
        email_status=EmailStatus.NOT_SENT).exists()
    expected = Counter(
        (n.recipient.user.email, f"[{django_settings.SITE_NAME}] {n.text}")
        for n in Notification.objects.filter(pk__in=notices).select_related("recipient__user"))
    expected.update((e.to, e.subject) for e in OutgoingEmail.objects.all())
    got = received(maildir)
    duplicates = sum(count - 1 for count in got.values() if count > 1)
    lost = sum((expected - got).values())
    attempts = max(Notification.objects.filter(pk__in=waiting)
                   .values_list("email_attempts", flat=True))
    print(f"\nDRILL smtp-down: {sum(expected.values())} emails ({len(welcomes)} before the "
          f"outage, {len(waiting)} notices + {len(outgoing)} account emails during it), "
          f"{sum(got.values())} received, lost {lost}, duplicated {duplicates}, "
          f"all sent {recovery:.1f} s after the server came back, "
          f"at most {attempts} attempts")
    assert (lost, duplicates) == (0, 0)
    assert got == expected


def test_a_hung_smtp_server_costs_one_timeout_and_locks_nothing(drill, tmp_path, member):
    processes, port = drill
    # A server that accepts the connection and never says a word.
    hung = socket.socket()
    hung.bind(("127.0.0.1", port))
    hung.listen(16)
    try:
        others = [make_member(f"Hung Member {i}", city="London") for i in range(4)]
        DBTaskResult.objects.all().delete()  # their welcomes: only the notices below are sent
        notices = notify(recipients=[member, *others], kind=Kind.VOTING_OPENED,
                         message=SAY, params=lambda m: said(f"Voting opened for {m.display_name}"))
        ids = [n.pk for n in notices]
        worker = processes.worker("worker-hung", "--batch")
        hung.settimeout(30)
        connection_to_hung, _address = hung.accept()  # the worker waits for a greeting now
        started = time.monotonic()
        mark_read(member=member, notification_ids=ids)  # a write on the same rows
        write_took = time.monotonic() - started
        assert worker.wait(30) == 0
        connection_to_hung.close()
    finally:
        hung.close()

    send = DBTaskResult.objects.filter(task_path=SEND_TASKS[0], started_at__isnull=False).get()
    took = (send.finished_at - send.started_at).total_seconds()
    print(f"\nDRILL smtp-hung: a run of {len(ids)} emails took {took:.1f} s with "
          f"EMAIL_TIMEOUT=2 s; a write to the same rows meanwhile took {write_took:.2f} s")
    assert send.status == "SUCCESSFUL"
    assert took < 2 + 1.5
    assert write_took < 1
    states = list(Notification.objects.filter(pk__in=ids).order_by("pk")
                  .values_list("email_status", "email_attempts", "email_error"))
    assert {(status, attempts) for status, attempts, _e in states} == {
        (EmailStatus.RETRYING, 1)}
    assert "timed out" in states[0][2]
    assert all(error.startswith("Not tried after") for _s, _a, error in states[1:])
