import uuid
from datetime import datetime

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.members.models import User
from chapterhouse.members.services import register_member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications import services
from chapterhouse.notifications.models import EmailPreference, Kind, Notification
from chapterhouse.notifications.services import mark_read, notify, set_email_preferences
from chapterhouse.notifications.tasks import send_notification_email, send_notification_emails
from chapterhouse.notifications.tests.factories import SAY, make_bare_members, said
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db


def hello(member):
    return said(f"Hello {member.display_name}")


@pytest.fixture
def database_tasks(settings):
    """The production task backend: enqueueing is an INSERT, nothing runs."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }


# First uses: registration


def test_a_new_member_is_welcomed_in_the_app_and_by_email():
    member = make_member("Nia New", city="Leeds")
    welcome = member.notifications.get(kind=Kind.WELCOME)
    assert "Nia New" in welcome.text
    assert welcome.url == member.home_chapter.get_absolute_url()
    assert welcome.read_at is None
    assert welcome.emailed_at is not None
    [email] = [m for m in mail.outbox if "Welcome" in m.subject]
    assert email.to == [member.user.email]
    assert welcome.text in email.body
    assert "http://127.0.0.1:8000" + welcome.url in email.body
    assert "/notifications/settings/" in email.body


def test_local_facilitators_hear_of_a_new_member_in_the_app_only(facilitator):
    london = Chapter.objects.get(url_path="gb/eng/london")
    england = Chapter.objects.get(url_path="gb/eng")
    city_facilitator = make_member("Cy City", city="London")
    grant_role(chapter=london, member=city_facilitator, source=ChapterRole.Source.ADMIN)
    region_facilitator = make_member("Reg Region", city="London")
    grant_role(chapter=england, member=region_facilitator, source=ChapterRole.Source.ADMIN)
    mail.outbox.clear()
    earlier = list(Notification.objects.values_list("pk", flat=True))

    newcomer = make_member("Nat Newcomer", city="London", neighbourhood="Hackney")

    joined = Notification.objects.filter(kind=Kind.MEMBER_JOINED).exclude(pk__in=earlier)
    assert set(joined.values_list("recipient_id", flat=True)) == {
        facilitator.pk, city_facilitator.pk
    }
    assert all("Nat Newcomer" in n.text for n in joined)
    assert all(n.url == newcomer.get_absolute_url() for n in joined)
    # MEMBER_JOINED is not emailed by default: only the newcomer's welcome went out.
    assert [m.to for m in mail.outbox] == [[newcomer.user.email]]


def test_a_facilitator_who_wants_email_for_new_members_gets_it(facilitator):
    set_email_preferences(member=facilitator, choices={Kind.MEMBER_JOINED: True})
    mail.outbox.clear()
    make_member("Nat Newcomer", city="London", neighbourhood="Hackney")
    assert [facilitator.user.email] in [m.to for m in mail.outbox]


# Email preferences


def test_a_notice_whose_email_is_turned_off_is_stored_but_not_emailed(member):
    set_email_preferences(member=member, choices={Kind.WELCOME: False})
    mail.outbox.clear()
    [notice] = notify(recipients=[member], kind=Kind.WELCOME, message=SAY, params=hello)
    assert notice.pk is not None
    assert Notification.objects.get(pk=notice.pk).emailed_at is None
    assert mail.outbox == []


def test_a_kind_not_emailed_by_default_is_emailed_when_turned_on(member):
    set_email_preferences(member=member, choices={Kind.MEMBER_JOINED: True})
    mail.outbox.clear()
    notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY, params=hello)
    assert len(mail.outbox) == 1


def test_email_choices_are_per_member(member, outsider):
    set_email_preferences(member=member, choices={Kind.WELCOME: False})
    mail.outbox.clear()
    notify(recipients=[member, outsider], kind=Kind.WELCOME, message=SAY, params=hello)
    assert [m.to for m in mail.outbox] == [[outsider.user.email]]


def test_setting_preferences_twice_updates_the_same_rows(member):
    set_email_preferences(member=member, choices={"welcome": False, "member_joined": True})
    set_email_preferences(member=member, choices={"welcome": True})
    assert dict(member.email_preferences.values_list("kind", "delivery")) == {
        "welcome": "each", "member_joined": "each",
    }


def test_an_unknown_kind_of_notice_stores_no_preference_at_all(member):
    with pytest.raises(ValueError, match="free_pizza"):
        set_email_preferences(member=member, choices={"welcome": False, "free_pizza": True})
    assert not EmailPreference.objects.exists()


# The email task


def test_sending_a_notice_email_twice_sends_it_once(member):
    [notice] = notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY, params=hello)
    mail.outbox.clear()
    send_notification_email.enqueue(notice.pk)
    send_notification_email.enqueue(notice.pk)
    send_notification_emails.enqueue([notice.pk])
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notice.pk).emailed_at is not None


def test_a_batch_sends_each_notice_once_and_skips_missing_ones(member, outsider):
    notices = notify(recipients=[member, outsider], kind=Kind.MEMBER_JOINED,
                     message=SAY, params=hello)
    ids = [n.pk for n in notices]
    mail.outbox.clear()
    assert send_notification_emails.call([*ids, 999_999]) == 2
    assert send_notification_emails.call(ids) == 0
    assert len(mail.outbox) == 2


def test_a_deactivated_account_gets_no_email(member):
    member.user.is_active = False
    member.user.save()
    mail.outbox.clear()
    notify(recipients=[member], kind=Kind.WELCOME, message=SAY, params=hello)
    assert mail.outbox == []


def test_no_email_goes_to_an_unconfirmed_address_until_it_is_confirmed(member):
    mail.outbox.clear()
    newcomer = register_member(
        user=User.objects.create_user("someone-else@example.org"), display_name="Una",
        city=make_city("Leeds"),
    )
    welcome = newcomer.notifications.get(kind=Kind.WELCOME)
    notify(recipients=[newcomer], kind=Kind.MEMBER_JOINED,
           message=SAY, params=hello)  # not emailed by default
    assert mail.outbox == []  # the notices are on the site; nothing mailed
    assert Notification.objects.get(pk=welcome.pk).emailed_at is None

    # The address is confirmed through allauth's link, as in the email it sends.
    address = EmailAddress.objects.create(user=newcomer.user, email=newcomer.user.email,
                                          verified=False, primary=True)
    confirm = f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/"
    assert Client().post(confirm).status_code == 302
    assert EmailAddress.objects.get(pk=address.pk).verified
    # The held emails of kinds sent by default: the welcome, and (first in Leeds)
    # the invitation to facilitate; not the member-joined notice.
    emailed = set(newcomer.notifications.filter(emailed_at__isnull=False)
                  .values_list("kind", flat=True))
    assert emailed == {Kind.WELCOME, Kind.ROLE_INVITATION}
    assert {tuple(m.to) for m in mail.outbox} == {("someone-else@example.org",)}
    assert len(mail.outbox) == 2
    assert any(welcome.text in m.body for m in mail.outbox)
    # Following the link again sends nothing more.
    Client().post(confirm)
    assert len(mail.outbox) == 2


def test_without_address_confirmation_notices_are_emailed_at_once(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    mail.outbox.clear()
    newcomer = register_member(user=User.objects.create_user("nobody-checks@example.org"),
                               display_name="Ned", city=make_city("Leeds"))
    assert newcomer.notifications.get(kind=Kind.WELCOME).emailed_at is not None
    assert "nobody-checks@example.org" in {m.to[0] for m in mail.outbox}


def test_a_notice_with_a_newline_makes_a_one_line_subject(member):
    mail.outbox.clear()
    notify(recipients=[member], kind=Kind.WELCOME, message=SAY, params=said("Two\nlines"))
    assert mail.outbox[0].subject == "[Chapterhouse] Two lines"


# Language


def confirmed_user(email: str) -> User:
    user = User.objects.create_user(email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_a_notice_reads_in_the_readers_language_and_is_emailed_in_the_members():
    london = make_city("London")
    london.names = {"es": "Londres", "ar": "لندن"}
    london.save()
    spanish = register_member(
        user=confirmed_user("sol@example.org"), display_name="Sol", city=london,
        languages=["es"],
    )
    english = register_member(
        user=confirmed_user("ed@example.org"), display_name="Ed", city=london,
        languages=["en"],
    )
    welcome = spanish.notifications.get(kind=Kind.WELCOME)
    # Stored once, as a message and its parameters; read in whatever language is active.
    assert welcome.message == "members.welcome"
    with translation.override("en"):
        assert welcome.text == "Welcome to London, Sol!"
    with translation.override("es"):
        spanish_text = welcome.text
    with translation.override("ar"):
        arabic_text = welcome.text
    assert "Londres" in spanish_text and spanish_text != "Welcome to Londres, Sol!"
    assert "لندن" in arabic_text and "Sol" in arabic_text
    # Emails go in the member's own language, whatever the sender spoke.
    to_sol = [m for m in mail.outbox if m.to == [spanish.user.email]]
    to_ed = [m for m in mail.outbox if m.to == [english.user.email]]
    assert {m.extra_headers["Content-Language"] for m in to_sol} == {"es"}
    assert any(spanish_text in m.body for m in to_sol)
    assert {m.extra_headers["Content-Language"] for m in to_ed} == {"en"}
    assert any("Welcome to London, Ed!" in m.body for m in to_ed)


def test_the_first_language_the_site_speaks_is_the_members_email_language(member):
    from chapterhouse.notifications.selectors import language_for

    member.languages = ["it", "es"]  # Italian is not shipped
    member.save()
    assert language_for(member) == "es"


def test_a_message_that_is_not_defined_is_refused_and_nothing_is_stored(member):
    before = Notification.objects.count()
    with pytest.raises(ValueError, match="No message"):
        notify(recipients=[member], kind=Kind.MEMBER_JOINED, message="members.nonsense")
    assert Notification.objects.count() == before


# Cost and durability


def test_notify_to_nobody_does_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify(recipients=[], kind=Kind.WELCOME, message=SAY, params=hello) == []


def test_a_member_listed_twice_gets_one_notice(member):
    notices = notify(recipients=[member, member], kind=Kind.MEMBER_JOINED,
                     message=SAY, params=hello)
    assert len(notices) == 1


def _queries_to_notify(members, kind) -> int:
    with CaptureQueriesContext(connection) as queries:
        notify(recipients=members, kind=kind, message=SAY, params=hello)
    return len(queries)


def test_one_notice_is_cheap(member, database_tasks):
    # Savepoint, INSERT notices, SELECT choices, INSERT the email job, release.
    assert _queries_to_notify([member], Kind.WELCOME) <= 5
    assert _queries_to_notify([member], Kind.MEMBER_JOINED) <= 4


def test_notify_costs_the_same_queries_for_many_recipients(member, database_tasks, monkeypatch):
    monkeypatch.setattr(services, "EMAIL_BATCH_SIZE", 1000)
    few = make_bare_members(member, 3)
    many = make_bare_members(member, 60)
    assert _queries_to_notify(few, Kind.MEMBER_JOINED) == _queries_to_notify(
        many, Kind.MEMBER_JOINED
    )
    assert _queries_to_notify(few, Kind.WELCOME) == _queries_to_notify(many, Kind.WELCOME)


def test_emails_are_queued_in_batches(member, database_tasks, monkeypatch):
    monkeypatch.setattr(services, "EMAIL_BATCH_SIZE", 2)
    members = make_bare_members(member, 5)
    notices = notify(recipients=members, kind=Kind.WELCOME, message=SAY, params=hello)
    jobs = DBTaskResult.objects.filter(task_path__endswith="send_notification_emails")
    assert jobs.count() == 3
    queued = [i for job in jobs for i in job.args_kwargs["args"][0]]
    assert sorted(queued) == sorted(n.pk for n in notices)
    assert set(jobs.values_list("queue_name", flat=True)) == {"email"}


def test_the_email_job_is_queued_in_the_same_transaction_as_the_notice(member, database_tasks):
    before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[member], kind=Kind.WELCOME, message=SAY, params=hello)
        raise RuntimeError("the action failed")
    assert DBTaskResult.objects.count() == before
    assert not Notification.objects.filter(message=SAY).exists()


# Marking read


def test_mark_read_touches_only_the_members_own_notices(member, outsider):
    theirs = outsider.notifications.first()
    assert mark_read(member=member, notification_ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert mark_read(member=member) == 2
    assert mark_read(member=member) == 0


# A notice to a whole chapter: the caller enqueues, a task stores one notice per member


def test_notifying_a_chapter_only_enqueues_and_the_task_tells_every_member_once(
    database_tasks, member, outsider
):
    neighbour = make_member("Nia Neighbour", city="London", neighbourhood="Islington")
    london = Chapter.objects.get(path=member.home_chapter.path[: -Chapter.steplen])
    with CaptureQueriesContext(connection) as queries:
        services.notify_members_of(chapter=london, kind=Kind.DECISION_RECORDED,
                                   message=SAY, params=said("London decided"), url="/d/1/")
    assert len(queries) <= 3  # the enqueue, whatever the chapter's size
    assert not Notification.objects.filter(url="/d/1/").exists()
    task = DBTaskResult.objects.get(task_path__endswith="deliver_to_members")

    from chapterhouse.notifications.tasks import deliver_to_members

    assert deliver_to_members.call(*task.args_kwargs["args"]) == 2
    assert deliver_to_members.call(*task.args_kwargs["args"]) == 0  # a second run: nothing
    notices = Notification.objects.filter(url="/d/1/")
    assert sorted(n.recipient_id for n in notices) == sorted([member.pk, neighbour.pk])
    assert {n.text for n in notices} == {"London decided"}
    assert not outsider.notifications.filter(url="/d/1/").exists()


def test_a_chapter_notice_comes_in_each_members_language_and_by_email_if_they_chose(
    database_tasks, member
):
    hablante = make_member("Hablante", city="London", neighbourhood="Hackney")
    hablante.languages = ["es"]
    hablante.save(update_fields=["languages"])
    set_email_preferences(member=hablante, choices={Kind.DECISION_RECORDED: True})
    london = Chapter.objects.get(path=member.home_chapter.path[: -Chapter.steplen])
    DBTaskResult.objects.all().delete()  # the welcome emails

    services.notify_members_of(chapter=london, kind=Kind.DECISION_RECORDED,
                               message="decisions.decided",
                               params={"title": "Bikes", "outcome": "passed"}, url="/d/2/")
    task = DBTaskResult.objects.get(task_path__endswith="deliver_to_members")
    from chapterhouse.notifications.tasks import deliver_to_members

    deliver_to_members.call(*task.args_kwargs["args"])

    notice = hablante.notifications.get(url="/d/2/")
    with translation.override("es"):
        spanish = translation.gettext("“%(title)s” was decided: %(outcome)s.") % {
            "title": "Bikes", "outcome": translation.gettext("passed")}
        assert notice.text == spanish
    assert spanish != "“Bikes” was decided: passed."
    assert member.notifications.get(url="/d/2/").text == "“Bikes” was decided: passed."
    emails = DBTaskResult.objects.filter(task_path__endswith="send_notification_emails")
    assert [e.args_kwargs["args"][0] for e in emails] == [
        [hablante.notifications.get(url="/d/2/").pk]
    ]


def test_a_chapter_notice_stopped_half_way_resumes_where_it_stopped(
    database_tasks, member, monkeypatch
):
    from chapterhouse.notifications import tasks

    others = [make_member(f"Londoner {n}", city="London") for n in range(3)]
    london = Chapter.objects.get(path=member.home_chapter.path[: -Chapter.steplen])
    services.notify_members_of(chapter=london, kind=Kind.DECISION_RECORDED,
                               message=SAY, params=said("London decided"), url="/d/3/")
    args = DBTaskResult.objects.get(task_path__endswith="deliver_to_members").args_kwargs["args"]
    monkeypatch.setattr(tasks, "FANOUT_BATCH_SIZE", 2)
    real_store, calls = tasks._store, []

    def store_then_die(*a, **k):
        real_store(*a, **k)
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the worker was killed")

    monkeypatch.setattr(tasks, "_store", store_then_die)
    with pytest.raises(RuntimeError):
        tasks.deliver_to_members.call(*args)
    assert Notification.objects.filter(url="/d/3/").count() == 0  # the batch rolled back
    monkeypatch.setattr(tasks, "_store", real_store)
    monkeypatch.setattr(tasks, "FANOUT_BATCH_SIZE", 2)

    # A run that stopped after its first committed batch: the next one finishes the rest.
    first = sorted([member.pk] + [o.pk for o in others])[:2]
    tasks._store(first, str(Kind.DECISION_RECORDED), SAY, said("London decided"),
                 "/d/3/", datetime.fromisoformat(args[4]), uuid.UUID(args[6]))
    assert tasks.deliver_to_members.call(*args) == 2
    assert tasks.deliver_to_members.call(*args) == 0
    recipients = list(Notification.objects.filter(url="/d/3/").values_list("recipient_id",
                                                                           flat=True))
    assert sorted(recipients) == sorted([member.pk] + [o.pk for o in others])


# Once per event and member (issue #14, item 2): whatever runs twice, nothing is duplicated


def test_the_database_refuses_a_second_notice_of_an_event_to_a_member(member):
    from django.db import IntegrityError

    key = services.event_key("test:once")
    Notification.objects.create(recipient=member, kind=Kind.MENTION, message=SAY,
                                params=said("a"), event=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=member, kind=Kind.MENTION, message=SAY,
                                    params=said("b"), event=key)


def test_notify_twice_for_one_event_tells_each_member_once(member, outsider, database_tasks):
    first = notify(recipients=[member], kind=Kind.WELCOME,
                   message=SAY, params=hello, event="test:event")
    second = notify(recipients=[member, outsider], kind=Kind.WELCOME, message=SAY, params=hello,
                    event="test:event")
    assert [n.recipient_id for n in first] == [member.pk]
    assert [n.recipient_id for n in second] == [outsider.pk]  # only the one not yet told
    assert Notification.objects.filter(event=services.event_key("test:event")).count() == 2
    emailed = [i for job in DBTaskResult.objects.filter(
        task_path__endswith="send_notification_emails") for i in job.args_kwargs["args"][0]]
    assert sorted(emailed) == sorted(n.pk for n in first + second)  # each queued once
    assert notify(recipients=[member], kind=Kind.WELCOME,
                  message=SAY, params=hello, event="test:event") == []


def test_notify_without_an_event_is_an_event_of_its_own(member):
    first = notify(recipients=[member], kind=Kind.MENTION, message=SAY, params=hello)
    second = notify(recipients=[member], kind=Kind.MENTION, message=SAY, params=hello)
    assert len(first) == len(second) == 1
    assert first[0].event != second[0].event


def test_a_chapter_notice_run_from_the_start_again_skips_the_members_told(
    database_tasks, member, monkeypatch
):
    # Two runs at once both start before either stores anything: the second's inserts
    # meet the first's rows (not only those after its highest recipient).
    from chapterhouse.notifications import tasks

    others = make_bare_members(member, 4)
    london = Chapter.objects.get(path=member.home_chapter.path[: -Chapter.steplen])
    services.notify_members_of(chapter=london, kind=Kind.VOTING_OPENED,
                               message=SAY, params=said("Vote"), url="/d/4/")
    args = DBTaskResult.objects.get(task_path__endswith="deliver_to_members").args_kwargs["args"]
    DBTaskResult.objects.all().delete()
    everyone = sorted([member.pk] + [o.pk for o in others])
    # The first run stored every other member (and queued their emails) ...
    key = uuid.UUID(args[6])
    told = tasks._store(everyone[::2], str(Kind.VOTING_OPENED), SAY, said("Vote"),
                        "/d/4/", datetime.fromisoformat(args[4]), key)
    assert told == everyone[::2]
    # ... while the second run started from nothing.
    monkeypatch.setattr(tasks, "_last_told", lambda told: 0)
    assert tasks.deliver_to_members.call(*args) == len(everyone[1::2])
    rows = list(Notification.objects.filter(url="/d/4/").values_list("recipient_id", flat=True))
    assert sorted(rows) == everyone
    emailed = [i for job in DBTaskResult.objects.filter(
        task_path__endswith="send_notification_emails") for i in job.args_kwargs["args"][0]]
    assert sorted(emailed) == sorted(
        Notification.objects.filter(url="/d/4/", recipient_id__in=everyone[1::2])
        .values_list("pk", flat=True))



def test_a_batch_of_notices_is_stored_in_as_many_statements_whatever_its_size(member):
    # SQLite's bulk INSERTs are cut at 999 parameters (a hundred statements for the
    # 20,000 members of a fan-out batch at seven columns); the notices go in one.
    from chapterhouse.notifications import tasks

    others = [o.pk for o in make_bare_members(member, 1_500)]
    created, key = datetime.fromisoformat("2026-12-07T10:00:00+00:00"), uuid.uuid4()
    with CaptureQueriesContext(connection) as few:
        tasks._store(others[:3], str(Kind.VOTING_OPENED), SAY, said("Vote"), "/d/6/",
                     created, uuid.uuid4())
    with CaptureQueriesContext(connection) as many:
        told = tasks._store(others, str(Kind.VOTING_OPENED), SAY, said("Vote"), "/d/5/",
                            created, key)
    assert len(many) == len(few) <= 3
    assert told == others
    # What is stored reads back as the ORM stores a notice.
    notify(recipients=[member], kind=Kind.VOTING_OPENED, message=SAY, params=said("Vote"),
           url="/d/5/")
    fields = ("kind", "message", "params", "url", "read_at")
    by_orm = Notification.objects.filter(recipient=member, url="/d/5/").values(*fields).get()
    stored = Notification.objects.filter(event=key)
    assert stored.count() == 1_500
    assert all(row == by_orm for row in stored.values(*fields))
    assert set(stored.values_list("created_at", flat=True)) == {created}
    assert sorted(stored.values_list("recipient_id", flat=True)) == sorted(others)
