from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chapterhouse.activity import selectors, services
from chapterhouse.activity.models import Activity, Audience, Follow, Kind
from chapterhouse.activity.tests.factories import activity_of, past_decision, record
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import set_section
from chapterhouse.decisions import services as decision_services
from chapterhouse.decisions.tests.factories import close, draft, in_deliberation, in_voting
from chapterhouse.events.tests.factories import make_event
from chapterhouse.lib.errors import Refused
from chapterhouse.moderation.models import Hidden
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.projects.tests.factories import make_group
from chapterhouse.resources.tests.factories import make_lesson

pytestmark = pytest.mark.django_db


def test_a_decision_is_recorded_after_commit_by_the_signal(
        member, django_capture_on_commit_callbacks):
    proposal = in_voting(member)
    with django_capture_on_commit_callbacks(execute=True):
        decision = close(proposal)
    found = activity_of(decision, Kind.DECISION)
    assert found.chapter == member.home_chapter
    assert found.audience == Audience.PUBLIC
    assert found.params["title"] == proposal.title
    assert found.params["outcome"] == decision.outcome


def test_recording_twice_leaves_one_row(member):
    proposal = in_deliberation(member)
    record(proposal)
    record(proposal)
    assert Activity.objects.filter(kind=Kind.PROPOSAL).count() == 1


def test_a_draft_is_seen_by_nobody_and_a_withdrawn_proposal_leaves(member):
    proposal = draft(member)
    assert record(proposal)[0].audience == Audience.NONE
    proposal = decision_services.publish(proposal=proposal, actor=member)
    assert record(proposal)[0].audience == Audience.PUBLIC
    proposal = decision_services.withdraw_proposal(proposal=proposal, actor=member)
    assert record(proposal)[0].audience == Audience.NONE


def test_an_event_makes_a_new_event_line_and_a_held_one_dated_by_its_end(member):
    event = make_event(author=member)
    lines = {a.kind: a for a in record(event)}
    assert set(lines) == {Kind.EVENT, Kind.EVENT_HELD}
    assert lines[Kind.EVENT_HELD].happened_at == event.ends_at
    # Not held yet: not in the lists.
    assert list(selectors.feed_for(member)) == [lines[Kind.EVENT]]


def test_a_members_only_event_is_for_the_members(member):
    assert record(make_event(author=member, is_public=False))[0].audience == Audience.MEMBERS


def test_a_section_kept_to_members_changes_the_audience_of_its_items(
        member, django_capture_on_commit_callbacks):
    event = make_event(author=member)
    record(event)
    with django_capture_on_commit_callbacks(execute=True):
        set_section(chapter=member.home_chapter,
                    change={"section": "events", "visibility": "members"})
    assert activity_of(event, Kind.EVENT).audience == Audience.MEMBERS
    with django_capture_on_commit_callbacks(execute=True):
        set_section(chapter=member.home_chapter, change={"section": "events", "shown": False})
    assert activity_of(event, Kind.EVENT).audience == Audience.NONE


def test_a_hidden_item_is_seen_by_nobody_until_restored(member, django_capture_on_commit_callbacks):
    lesson = make_lesson(member)
    record(lesson)
    with django_capture_on_commit_callbacks(execute=True):
        hidden = Hidden.objects.create(
            content_type_id=activity_of(lesson, Kind.LESSON).content_type_id,
            object_id=lesson.pk, chapter=lesson.chapter, reason="Spam")
    assert activity_of(lesson, Kind.LESSON).audience == Audience.NONE
    hidden.restored_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        hidden.save()
    assert activity_of(lesson, Kind.LESSON).audience == Audience.PUBLIC


def test_only_requests_of_mutual_aid_make_activity(member):
    assert record(make_entry(member, kind="offer")) == []
    request = record(make_entry(member, visible_to_everyone=True))
    assert request[0].kind == Kind.AID_REQUEST
    assert request[0].audience == Audience.PUBLIC
    assert record(make_entry(member))[0].audience == Audience.MEMBERS


def test_a_deleted_source_takes_its_activity_with_it(member, django_capture_on_commit_callbacks):
    entry = make_entry(member)
    record(entry)
    with django_capture_on_commit_callbacks(execute=True):
        entry.delete()
    assert not Activity.objects.exists()


def test_a_task_done_in_a_group_shows_to_its_followers(member, outsider):
    from chapterhouse.projects import services as project_services

    group = make_group(member)
    task = project_services.add_task(group=group, author=member, title="Print flyers")
    assert record(task) == []
    task = project_services.set_task_status(task=task, member=member, status="done")
    [line] = record(task)
    assert line.kind == Kind.TASK_DONE and line.group == group
    assert list(selectors.feed_for(outsider)) == []
    services.follow(member=outsider, group=group)
    assert list(selectors.feed_for(outsider)) == [line]


def test_follow_then_see_a_decision_of_another_continent(member, outsider):
    [line] = record(past_decision(outsider))
    assert line not in selectors.feed_for(member)
    services.follow(member=member, chapter=outsider.home_chapter)
    assert list(selectors.feed_for(member)) == [line]


def test_following_twice_is_one_follow_and_ones_own_chapter_is_refused(member, outsider):
    first = services.follow(member=member, chapter=outsider.home_chapter)
    again = services.follow(member=member, chapter=outsider.home_chapter)
    assert first == again and Follow.objects.count() == 1
    with pytest.raises(Refused):
        services.follow(member=member, chapter=member.home_chapter)
    with pytest.raises(Refused):
        services.follow(member=member)
    assert Follow.objects.count() == 1


def test_unfollowing_someone_elses_follow_is_refused(member, outsider):
    follow = services.follow(member=member, chapter=outsider.home_chapter)
    with pytest.raises(Refused):
        services.unfollow(member=outsider, follow=follow)
    services.unfollow(member=member, follow=follow)
    assert not Follow.objects.exists()


def test_members_only_items_never_reach_outsiders_even_following(member, outsider, neighbour):
    [line] = record(make_entry(member))  # members only
    assert line.audience == Audience.MEMBERS
    services.follow(member=outsider, chapter=member.home_chapter)
    assert list(selectors.feed_for(outsider)) == []
    assert list(selectors.pulse(viewer=outsider, kinds=[Kind.AID_REQUEST])) == []
    assert list(selectors.feed_for(neighbour)) == [line]


def test_the_last_visit_is_remembered(member):
    assert services.mark_feed_seen(member=member) is None
    before = timezone.now()
    seen = services.mark_feed_seen(member=member)
    assert seen is not None and seen <= before


def test_the_pulse_filters_by_place_and_below(member, outsider):
    mine = record(make_lesson(member))[0]
    theirs = record(make_lesson(outsider))[0]
    everywhere = list(selectors.pulse(viewer=None, kinds=[Kind.LESSON]))
    assert everywhere == [theirs, mine]
    country = Chapter.objects.containing(member.home_chapter).order_by("depth")[1]
    assert list(selectors.pulse(viewer=None, place=country, kinds=[Kind.LESSON])) == [mine]


def test_the_backfill_records_what_exists_and_is_idempotent(member):
    in_deliberation(member)
    make_lesson(member)
    event = make_event(author=member, starts_at=timezone.now() - timedelta(days=2))
    call_command("activity_backfill", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("activity_backfill", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(Activity.objects.values_list("kind", flat=True)) == sorted(
        [Kind.PROPOSAL, Kind.LESSON, Kind.EVENT, Kind.EVENT_HELD])
    assert activity_of(event, Kind.EVENT_HELD) in selectors.feed_for(member)


def test_removing_the_follows_of_a_member(member, outsider):
    services.follow(member=member, chapter=outsider.home_chapter)
    assert services.remove_follows_of(member) == 1
    assert not Follow.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visit_in_its_own_transaction_is_remembered_and_leaves_commits_waiting(member):
    # On PostgreSQL the visit commits without waiting for the disk, for its own
    # transaction alone: the connection's next commits wait as before.
    from django.db import connection

    assert not connection.in_atomic_block
    assert services.mark_feed_seen(member=member) is None
    before = timezone.now()
    seen = services.mark_feed_seen(member=member)
    assert seen is not None and seen <= before
    again = services.mark_feed_seen(member=member)
    assert again is not None and again >= before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
