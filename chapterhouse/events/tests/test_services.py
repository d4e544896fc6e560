"""Events' services: what is stored and told, the waiting list, repeating rules,
reminders, and what bad input does (a clear refusal, nothing stored)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from chapterhouse.chapters.models import Chapter
from chapterhouse.discussions.models import Thread
from chapterhouse.events import selectors, services
from chapterhouse.events.models import Answer, Event, OccurrenceChange, ReminderSent, Rsvp
from chapterhouse.events.recurrence import MAX_OCCURRENCES, occurrences
from chapterhouse.lib.errors import Refused
from chapterhouse.members.services import delete_account
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.places.models import Place

from .factories import make_event, soon

pytestmark = pytest.mark.django_db


def neighbours(count):
    return [make_member(f"Neighbour {i}", city="London", neighbourhood="Hackney")
            for i in range(count)]


# -- Creating -----------------------------------------------------------------------------

def test_an_event_is_stored_told_to_the_chapter_and_gets_a_comments_thread(
    facilitator, member, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(author=facilitator, title="Picnic", address="Hackney Marshes",
                           latitude=51.55, longitude=-0.03, capacity=10)
    assert (event.chapter, event.author, event.capacity) == (
        facilitator.home_chapter, facilitator, 10)
    told = Notification.objects.filter(kind=Kind.NEW_EVENT)
    assert list(told.values_list("recipient_id", flat=True)) == [member.pk]
    assert told.get().url == event.get_absolute_url()
    thread = Thread.objects.get(kind="comments", subject_id=str(event.pk))
    assert thread.chapter == event.chapter and thread.post_count == 0


def test_the_zone_defaults_to_the_chapters_place_else_utc(facilitator):
    start = soon()
    fields = services.EventFields(title="T", starts_at=start, ends_at=start + timedelta(hours=1))
    assert services.create_event(chapter=facilitator.home_chapter, author=facilitator,
                                 fields=fields).time_zone == "UTC"
    Place.objects.filter(kind="city", name="London").update(timezone="Europe/London")
    assert services.create_event(chapter=facilitator.home_chapter, author=facilitator,
                                 fields=fields).time_zone == "Europe/London"


@pytest.mark.parametrize(("change", "says"), [
    ({"ends_in": -1}, "end after it starts"),
    ({"ends_in": 0}, "end after it starts"),
    ({"capacity": -1}, "capacity"),
    ({"recurrence": "FREQ=SOMETIMES"}, "RFC 5545"),
    ({"recurrence": "not a rule at all"}, "RFC 5545"),
    ({"recurrence": "FREQ=MINUTELY"}, "at most daily"),
    ({"recurrence": "FREQ=DAILY;COUNT=5000000"}, "at most 1000 times"),
    ({"recurrence": "FREQ=DAILY;UNTIL=20300101T000000"}, "RFC 5545"),
    ({"recurrence": "FREQ=DAILY\nRDATE:20300101T000000Z"}, "RFC 5545"),
    ({"time_zone": "Mars/Olympus"}, "time zone"),
    ({"title": "   "}, "title"),
    ({"latitude": 95.0, "longitude": 0.0}, "latitude"),
    ({"latitude": 51.0}, "both"),
    ({"online_url": "javascript:alert(1)"}, "https://"),
])
def test_bad_input_is_refused_and_nothing_is_stored(facilitator, change, says):
    start = soon()
    ends_in = change.pop("ends_in", 2)
    fields = {"title": "Picnic", "starts_at": start, "ends_at": start + timedelta(hours=ends_in),
              "time_zone": "UTC", **change}
    with pytest.raises(Refused) as refused:
        services.create_event(chapter=facilitator.home_chapter, author=facilitator,
                              fields=services.EventFields(**fields))
    assert says in refused.value.message
    assert not Event.objects.exists() and not Thread.objects.exists()


def test_naive_times_are_refused(facilitator):
    naive = datetime(2030, 1, 1, 18)  # noqa: DTZ001 - the point of the test
    with pytest.raises(Refused):
        services.create_event(chapter=facilitator.home_chapter, author=facilitator,
                              fields=services.EventFields(title="T", starts_at=naive,
                                                          ends_at=naive + timedelta(hours=1)))
    assert not Event.objects.exists()


# -- Answers and the waiting list --------------------------------------------------------

def test_a_full_event_puts_members_on_the_waiting_list_and_promotes_in_order(
    facilitator, member
):
    first, second = neighbours(2)
    event = make_event(author=facilitator, capacity=1)
    at = event.starts_at
    assert services.answer(event=event, occurrence=at, member=member,
                           answer="going").answer == Answer.GOING
    assert services.answer(event=event, occurrence=at, member=first,
                           answer="going").answer == Answer.WAITING
    assert services.answer(event=event, occurrence=at, member=second,
                           answer="going").answer == Answer.WAITING
    # Asking again does not jump the line.
    services.answer(event=event, occurrence=at, member=first, answer="going")
    assert selectors.answers_to(event, at, second).place_in_line == 2

    services.answer(event=event, occurrence=at, member=member, answer="not_going")
    answers = dict(Rsvp.objects.values_list("member_id", "answer"))
    assert answers == {member.pk: "not_going", first.pk: "going", second.pk: "waiting"}
    told = Notification.objects.get(kind=Kind.EVENT_PLACE)
    assert told.recipient == first
    assert selectors.answers_to(event, at, second).place_in_line == 1


def test_maybe_and_not_going_take_no_place(facilitator, member):
    other, = neighbours(1)
    event = make_event(author=facilitator, capacity=1)
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="maybe")
    assert services.answer(event=event, occurrence=event.starts_at, member=other,
                           answer="going").answer == Answer.GOING


def test_a_larger_capacity_lets_the_line_in(facilitator, member):
    other, = neighbours(1)
    event = make_event(author=facilitator, capacity=1)
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="going")
    services.answer(event=event, occurrence=event.starts_at, member=other, answer="going")
    fields = services.EventFields(title=event.title, starts_at=event.starts_at,
                                  ends_at=event.ends_at, time_zone="UTC", capacity=2)
    services.update_event(event=event, editor=facilitator, fields=fields)
    assert Rsvp.objects.get(member=other).answer == Answer.GOING


@pytest.mark.parametrize("answer", ["yes", "waiting", ""])
def test_an_unknown_answer_is_refused(facilitator, member, answer):
    event = make_event(author=facilitator)
    with pytest.raises(Refused):
        services.answer(event=event, occurrence=event.starts_at, member=member, answer=answer)
    assert not Rsvp.objects.exists()


def test_answers_to_past_cancelled_or_missing_occurrences_are_refused(facilitator, member):
    event = make_event(author=facilitator)
    with pytest.raises(Refused, match="over"):
        services.answer(event=event, occurrence=event.starts_at, member=member,
                        answer="going", now=event.ends_at + timedelta(minutes=1))
    with pytest.raises(Refused, match="no occurrence"):
        services.answer(event=event, occurrence=event.starts_at + timedelta(hours=1),
                        member=member, answer="going")
    services.cancel_event(event=event, actor=facilitator)
    with pytest.raises(Refused, match="cancelled"):
        services.answer(event=event, occurrence=event.starts_at, member=member, answer="going")
    assert not Rsvp.objects.exists()


# -- Editing and cancelling tells those who answered ---------------------------------------

def test_editing_tells_those_who_answered_and_moves_their_answers(facilitator, member):
    other, = neighbours(1)
    event = make_event(author=facilitator)
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="maybe")
    later = event.starts_at + timedelta(days=1)
    fields = services.EventFields(title="Picnic, moved", starts_at=later,
                                  ends_at=later + timedelta(hours=2), time_zone="UTC")
    services.update_event(event=event, editor=facilitator, fields=fields)
    told = Notification.objects.filter(kind=Kind.EVENT_UPDATED)
    assert list(told.values_list("recipient_id", flat=True)) == [member.pk]
    assert Rsvp.objects.get().occurrence == later
    services.cancel_event(event=event, actor=facilitator)
    services.cancel_event(event=event, actor=facilitator)  # twice: told once
    assert Notification.objects.filter(kind=Kind.EVENT_UPDATED, recipient=member).count() == 2
    assert not Notification.objects.filter(kind=Kind.EVENT_UPDATED, recipient=other).exists()


# -- Repeating events ---------------------------------------------------------------------

def weekly(facilitator, **fields):
    # Tuesdays 19:00 in London, from a Tuesday in January 2030 (winter time).
    start = datetime(2030, 1, 1, 19, tzinfo=ZoneInfo("Europe/London"))
    return make_event(author=facilitator, starts_at=start, time_zone="Europe/London",
                      recurrence="RRULE:FREQ=WEEKLY;BYDAY=TU", **fields)


def test_a_weekly_rule_keeps_its_wall_clock_time_across_daylight_saving(facilitator):
    event = weekly(facilitator)
    assert event.recurrence == "FREQ=WEEKLY;BYDAY=TU"
    found = occurrences(event, [], datetime(2030, 3, 20, tzinfo=UTC),
                        datetime(2030, 4, 10, tzinfo=UTC))
    local = [o.starts_at.astimezone(ZoneInfo("Europe/London")) for o in found]
    assert [(d.day, d.hour) for d in local] == [(26, 19), (2, 19), (9, 19)]
    assert [o.starts_at.astimezone(UTC).hour for o in found] == [19, 18, 18]


def test_one_date_is_cancelled_or_moved_by_its_original_start(facilitator, member):
    event = weekly(facilitator)
    second = datetime(2030, 1, 8, 19, tzinfo=UTC)
    third = datetime(2030, 1, 15, 19, tzinfo=UTC)
    services.answer(event=event, occurrence=second, member=member, answer="going",
                    now=datetime(2030, 1, 1, tzinfo=UTC))
    services.change_occurrence(event=event, actor=facilitator, original_start=second,
                               cancelled=True)
    services.change_occurrence(event=event, actor=facilitator, original_start=third,
                               starts_at=third + timedelta(days=1),
                               ends_at=third + timedelta(days=1, hours=2), title="Moved")
    found = occurrences(event, OccurrenceChange.objects.filter(event=event),
                        datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 20, tzinfo=UTC))
    assert [(o.starts_at.day, o.cancelled, o.title) for o in found] == [
        (1, False, "Picnic"), (8, True, "Picnic"), (16, False, "Moved")]
    assert Notification.objects.filter(kind=Kind.EVENT_UPDATED, recipient=member).count() == 1
    with pytest.raises(Refused, match="no occurrence"):
        services.change_occurrence(event=event, actor=facilitator,
                                   original_start=second + timedelta(days=1), cancelled=True)
    with pytest.raises(Refused, match="cancelled"):
        services.answer(event=event, occurrence=second, member=member, answer="going",
                        now=datetime(2030, 1, 1, tzinfo=UTC))


def test_an_endless_rule_expands_only_in_its_window_and_at_most_the_cap(facilitator):
    start = datetime(2030, 1, 1, 9, tzinfo=UTC)
    event = make_event(author=facilitator, starts_at=start, recurrence="FREQ=DAILY")
    found = occurrences(event, [], start, start + timedelta(days=10_000))
    assert len(found) == MAX_OCCURRENCES
    assert len(occurrences(event, [], start, start + timedelta(days=7))) == 7


def test_a_rule_that_does_not_give_the_start_is_refused(facilitator):
    tuesday = datetime(2030, 1, 1, 19, tzinfo=UTC)
    for rule in ("FREQ=YEARLY;BYMONTH=13", "FREQ=WEEKLY;BYDAY=WE"):
        with pytest.raises(Refused, match="must start on a date"):
            make_event(author=facilitator, starts_at=tuesday, recurrence=rule)
    assert not Event.objects.exists()


# -- Reminders ----------------------------------------------------------------------------

def test_reminders_tell_those_going_once_however_often_they_run(facilitator, member):
    maybe, = neighbours(1)
    event = make_event(author=facilitator, starts_at=soon(days=1))
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="going")
    services.answer(event=event, occurrence=event.starts_at, member=maybe, answer="maybe")
    due = event.starts_at - timedelta(hours=1)
    assert services.send_reminders(event=event, occurrence=event.starts_at, now=due) == 1
    assert services.send_reminders(event=event, occurrence=event.starts_at, now=due) == 0
    told = Notification.objects.filter(kind=Kind.EVENT_REMINDER)
    assert list(told.values_list("recipient_id", flat=True)) == [member.pk]
    assert ReminderSent.objects.count() == 1


def test_a_reminder_not_yet_due_or_too_late_does_nothing(facilitator, member):
    event = make_event(author=facilitator, starts_at=soon(days=5))
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="going")
    assert services.send_reminders(event=event, occurrence=event.starts_at,
                                   now=event.starts_at - timedelta(days=3)) == 0
    assert services.send_reminders(event=event, occurrence=event.starts_at,
                                   now=event.starts_at + timedelta(minutes=1)) == 0
    assert not Notification.objects.filter(kind=Kind.EVENT_REMINDER).exists()


def test_the_reminder_is_enqueued_for_its_time_with_the_database_backend(
    settings, facilitator
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "email"]}}
    event = make_event(author=facilitator, starts_at=soon(days=4))
    job = DBTaskResult.objects.get(task_path="chapterhouse.events.tasks.send_reminders")
    assert job.run_after == event.starts_at - timedelta(hours=24)
    assert job.args_kwargs["args"] == [event.pk, event.starts_at.isoformat()]


# -- Sub-chapters, the member's data ------------------------------------------------------

def test_the_parent_shows_its_sub_chapters_events_when_it_chooses(facilitator):
    london = Chapter.objects.get(url_path="gb/eng/london")
    event = make_event(author=facilitator)
    shown = selectors.upcoming(selectors.calendar_events(london, None, subchapters=False))
    assert shown == []
    services.set_settings(chapter=london, actor=facilitator, members_may_create=False,
                          shows_subchapter_events=True)
    assert selectors.settings_of(london).shows_subchapter_events
    shown = selectors.upcoming(selectors.calendar_events(london, None, subchapters=True))
    assert [o.event for o in shown] == [event]


def test_members_only_events_are_hidden_from_outsiders_lists(facilitator, member, outsider):
    make_event(author=facilitator, is_public=False)
    chapter = facilitator.home_chapter
    assert len(selectors.upcoming(selectors.calendar_events(chapter, member,
                                                            subchapters=False))) == 1
    assert selectors.upcoming(selectors.calendar_events(chapter, outsider,
                                                        subchapters=False)) == []
    assert selectors.upcoming(selectors.calendar_events(chapter, None, subchapters=False)) == []


def test_the_export_holds_answers_and_events_and_deletion_removes_answers(
    facilitator, member
):
    event = make_event(author=facilitator)
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="going")
    exported = selectors.account_export(member)
    assert exported["event_answers"][0]["answer"] == "going"
    assert selectors.account_export(facilitator)["events_created"][0]["title"] == "Picnic"
    delete_account(member=member)
    assert not Rsvp.objects.exists()
    delete_account(member=facilitator)
    assert Event.objects.get().author is None


def test_tokens_reset(member):
    first = services.calendar_token_of(member=member).token
    assert services.calendar_token_of(member=member).token == first
    assert services.reset_calendar_token(member=member).token != first
    assert selectors.member_for_token(first) is None


def test_a_notice_is_timely(facilitator):
    assert timezone.now() < make_event(author=facilitator).starts_at


def test_the_reminder_task_run_twice_tells_once(facilitator, member):
    from chapterhouse.events import tasks

    start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    event = make_event(author=facilitator, starts_at=start)
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="going")
    assert tasks.send_reminders.call(event.pk, event.starts_at.isoformat()) == 1
    assert tasks.send_reminders.call(event.pk, event.starts_at.isoformat()) == 0
    assert tasks.send_reminders.call(0, event.starts_at.isoformat()) == 0
    assert Notification.objects.filter(kind=Kind.EVENT_REMINDER).count() == 1
