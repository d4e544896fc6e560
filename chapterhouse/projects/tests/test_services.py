"""The projects' services: a group with its room and updates thread, joining (open and
by request), leaving, coordinators, tasks; and what bad input does (nothing)."""

import pytest

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import Chapter
from chapterhouse.chat import selectors as chat_selectors
from chapterhouse.chat.models import Room
from chapterhouse.discussions.models import Thread
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.lib.errors import Refused
from chapterhouse.members import services as member_services
from chapterhouse.members.selectors import export_data_for as account_export
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.projects import services
from chapterhouse.projects.models import NAME_MAX_LENGTH, Group, Membership, Task

from .factories import join, make_group

pytestmark = pytest.mark.django_db


def in_room(group, member):
    return chat_selectors.is_room_member(member, Room.objects.get(pk=group.room_id))


def counts():
    return (Group.objects.count(), Membership.objects.count(), Task.objects.count(),
            Room.objects.count(), Thread.objects.count(), Notification.objects.count())


# -- A group -----------------------------------------------------------------------------


def test_a_new_group_has_its_creator_as_coordinator_an_invite_only_room_and_a_thread(member):
    group = make_group(member, "Tenants' union", description="We **organise**.",
                       kind=Group.Kind.PROJECT)
    assert group.slug == "tenants-union"
    assert group.get_absolute_url() == "/c/gb/eng/london/hackney/projects/tenants-union/"
    membership = Membership.objects.get(group=group)
    assert (membership.member, membership.is_coordinator, membership.is_pending) == (
        member, True, False)
    assert group.room is not None
    assert group.room.access == Room.Access.INVITE
    assert group.room.chapter == member.home_chapter
    assert in_room(group, member)
    thread = thread_about(group, kind=Thread.Kind.COMMENTS)
    assert thread is not None and thread.posting_rule == "projects.post_update"
    assert thread.post_count == 0
    assert AuditEntry.objects.filter(action="projects.create_group").count() == 1


def test_a_caucus_may_be_made_in_international(member):
    international = Chapter.objects.get(url_path="")
    group = make_group(member, "Ecology current", chapter=international,
                       kind=Group.Kind.CAUCUS, joining=Group.Joining.APPROVED)
    assert group.chapter == international
    assert group.get_absolute_url() == "/c/projects/ecology-current/"


def test_slugs_are_unique_in_a_chapter_and_never_a_page_name(member):
    assert make_group(member, "Garden").slug == "garden"
    assert make_group(member, "Garden").slug == "garden-2"
    assert make_group(member, "New").slug == "new-2"
    assert make_group(member, "مجموعة").slug == "group"


@pytest.mark.parametrize(("name", "kind", "joining"), [
    ("", Group.Kind.PROJECT, Group.Joining.OPEN),
    ("   \u202e ", Group.Kind.PROJECT, Group.Joining.OPEN),
    ("x" * (NAME_MAX_LENGTH + 1), Group.Kind.PROJECT, Group.Joining.OPEN),
    ("Fine", "club", Group.Joining.OPEN),
    ("Fine", Group.Kind.PROJECT, "secret"),
])
def test_bad_input_to_create_is_refused_and_stores_nothing(member, name, kind, joining):
    before = counts()
    with pytest.raises(Refused):
        services.create_group(chapter=member.home_chapter, creator=member, name=name,
                              kind=kind, joining=joining)
    assert counts() == before


def test_a_description_too_long_is_refused(member):
    before = counts()
    with pytest.raises(Refused):
        make_group(member, description="x" * 20_001)
    assert counts() == before


def test_nobody_starts_a_group_in_a_chapter_they_are_not_in(member, outsider):
    before = counts()
    with pytest.raises(Refused):
        make_group(outsider, chapter=member.home_chapter)
    assert counts() == before


def test_editing_keeps_the_address(member):
    group = make_group(member, "Garden")
    services.edit_group(group=group, editor=member, name="Gardens", description="More",
                        kind=Group.Kind.PROJECT, joining=Group.Joining.APPROVED)
    group.refresh_from_db()
    assert (group.name, group.slug, group.joining) == ("Gardens", "garden", "approved")
    with pytest.raises(Refused):
        services.edit_group(group=group, editor=member, name="", description="",
                            kind=Group.Kind.PROJECT, joining=Group.Joining.OPEN)
    group.refresh_from_db()
    assert group.name == "Gardens"


# -- Joining and leaving -----------------------------------------------------------------


def test_joining_an_open_group_puts_the_member_in_it_and_its_room(member):
    group = make_group(member)
    other = make_member("Bo", city="London")  # London: not in Hackney, so not in the chapter
    neighbour = make_member("Ned", city="London", neighbourhood="Hackney")
    services.join_group(group=group, member=neighbour)
    assert Membership.objects.get(group=group, member=neighbour).is_pending is False
    assert in_room(group, neighbour)
    with pytest.raises(Refused):
        services.join_group(group=group, member=neighbour)  # twice
    with pytest.raises(Refused):
        services.join_group(group=group, member=other)
    assert not Membership.objects.filter(member=other).exists()


def test_the_approval_flow(member):
    group = make_group(member, joining=Group.Joining.APPROVED)
    asker = make_member("Ask", city="London", neighbourhood="Hackney")
    services.join_group(group=group, member=asker)
    membership = Membership.objects.get(group=group, member=asker)
    assert membership.is_pending and membership.joined_at is None
    assert not in_room(group, asker)
    notice = Notification.objects.get(recipient=member, kind=Kind.GROUP_REQUEST)
    assert (notice.kind, notice.message, notice.url) == (
        Kind.GROUP_REQUEST, "projects.request", group.get_absolute_url())
    assert notice.params["member"] == "Ask"

    services.accept_request(group=group, coordinator=member, member=asker)
    membership.refresh_from_db()
    assert not membership.is_pending and membership.joined_at is not None
    assert in_room(group, asker)
    assert Notification.objects.filter(recipient=asker, message="projects.accepted").exists()
    with pytest.raises(Refused):  # nothing pending any more
        services.accept_request(group=group, coordinator=member, member=asker)


def test_a_declined_request_goes_and_may_be_made_again(member):
    group = make_group(member, joining=Group.Joining.APPROVED)
    asker = make_member("Ask", city="London", neighbourhood="Hackney")
    services.join_group(group=group, member=asker)
    services.decline_request(group=group, coordinator=member, member=asker)
    assert not Membership.objects.filter(member=asker).exists()
    assert not in_room(group, asker)
    services.join_group(group=group, member=asker)
    assert Notification.objects.filter(recipient=member, kind=Kind.GROUP_REQUEST).count() == 2
    with pytest.raises(Refused):  # declining a member who is not asking
        services.decline_request(group=group, coordinator=member, member=member)


def test_leaving_takes_the_member_out_of_the_room_and_unassigns_their_tasks(member):
    group = make_group(member)
    ned = make_member("Ned", city="London", neighbourhood="Hackney")
    join(group, ned)
    task = services.add_task(group=group, author=member, title="Flyers", assignee=ned)
    services.leave_group(group=group, member=ned)
    assert not Membership.objects.filter(member=ned).exists()
    assert not in_room(group, ned)
    task.refresh_from_db()
    assert task.assignee is None
    with pytest.raises(Refused):
        services.leave_group(group=group, member=ned)


def test_the_last_coordinator_names_another_before_leaving(member):
    group = make_group(member)
    ned = make_member("Ned", city="London", neighbourhood="Hackney")
    join(group, ned)
    with pytest.raises(Refused):
        services.leave_group(group=group, member=member)
    assert Membership.objects.filter(member=member).exists()
    services.add_coordinator(group=group, by=member, member=ned)
    with pytest.raises(Refused):
        services.add_coordinator(group=group, by=member, member=ned)  # already
    services.leave_group(group=group, member=member)
    assert Membership.objects.get(group=group).member == ned
    assert AuditEntry.objects.filter(action="projects.add_coordinator").count() == 1


def test_a_sole_member_may_leave_and_only_members_become_coordinators(member):
    group = make_group(member)
    stranger = make_member("Str", city="London", neighbourhood="Hackney")
    with pytest.raises(Refused):
        services.add_coordinator(group=group, by=member, member=stranger)
    services.leave_group(group=group, member=member)
    assert not Membership.objects.exists()


# -- Tasks -------------------------------------------------------------------------------


def test_a_task_given_to_another_member_tells_them(member):
    group = make_group(member)
    ned = make_member("Ned", city="London", neighbourhood="Hackney")
    join(group, ned)
    task = services.add_task(group=group, author=member, title=" Print  flyers ",
                             assignee=ned)
    assert (task.title, task.status) == ("Print flyers", Task.Status.OPEN)
    notice = Notification.objects.get(recipient=ned, kind=Kind.TASK_ASSIGNED)
    assert (notice.kind, notice.message) == (Kind.TASK_ASSIGNED, "projects.task_assigned")
    # Giving oneself a task tells nobody; reassigning to the same member neither.
    services.assign_task(task=task, by=ned, assignee=ned)
    mine = services.add_task(group=group, author=member, title="Mine", assignee=member)
    assert Notification.objects.filter(kind=Kind.TASK_ASSIGNED).count() == 1
    services.assign_task(task=mine, by=ned, assignee=ned)
    assert Notification.objects.filter(kind=Kind.TASK_ASSIGNED).count() == 1  # ned did it
    services.assign_task(task=mine, by=ned, assignee=member)
    assert Notification.objects.filter(kind=Kind.TASK_ASSIGNED, recipient=member).count() == 1
    services.assign_task(task=mine, by=member, assignee=None)
    mine.refresh_from_db()
    assert mine.assignee is None


def test_tasks_move_between_open_doing_and_done(member):
    group = make_group(member)
    task = services.add_task(group=group, author=member, title="Flyers")
    for status in ("doing", "done", "open"):
        services.set_task_status(task=task, member=member, status=status)
        task.refresh_from_db()
        assert task.status == status
    with pytest.raises(Refused):
        services.set_task_status(task=task, member=member, status="lost")
    task.refresh_from_db()
    assert task.status == "open"


def test_bad_tasks_are_refused_and_store_nothing(member):
    group = make_group(member)
    stranger = make_member("Str", city="London", neighbourhood="Hackney")
    before = counts()
    for title, assignee in [("", None), ("x" * 201, None), ("Fine", stranger)]:
        with pytest.raises(Refused):
            services.add_task(group=group, author=member, title=title, assignee=assignee)
    assert counts() == before
    task = services.add_task(group=group, author=member, title="Fine")
    with pytest.raises(Refused):
        services.assign_task(task=task, by=member, assignee=stranger)
    task.refresh_from_db()
    assert task.assignee is None


# -- The member's data ---------------------------------------------------------------------


def test_the_export_holds_memberships_and_assigned_tasks(member):
    group = make_group(member, "Garden")
    services.add_task(group=group, author=member, title="Dig", assignee=member)
    export = account_export(member)
    assert export["group_memberships"][0]["group"] == "Garden"
    assert export["group_memberships"][0]["coordinator"] is True
    assert [task["title"] for task in export["assigned_tasks"]] == ["Dig"]


def test_deleting_an_account_removes_memberships_and_unassigns_tasks(member):
    group = make_group(member)
    ned = make_member("Ned", city="London", neighbourhood="Hackney")
    join(group, ned)
    task = services.add_task(group=group, author=member, title="Dig", assignee=ned)
    member_services.delete_account(member=ned, remove_writing=True)
    assert list(Membership.objects.values_list("member_id", flat=True)) == [member.pk]
    task.refresh_from_db()
    assert task.assignee is None and task.title == "Dig"
