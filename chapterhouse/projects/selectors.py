"""Reading groups: a chapter's groups, one group with its members and tasks, a
member's groups."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from .models import Group, Membership, Task

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member


def groups_of(chapter: Chapter) -> QuerySet[Group]:
    """The chapter's groups by name, each with `member_count` (its joined members) and
    `open_tasks` (not done). One query, whatever their number."""
    return (
        Group.objects.filter(chapter=chapter)
        .select_related("chapter")
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__is_pending=False),
                               distinct=True),
            open_tasks=Count("tasks", filter=~Q(tasks__status=Task.Status.DONE), distinct=True),
        )
        .order_by("name", "pk")
    )


def get_group(chapter: Chapter, slug: str) -> Group | None:
    group = Group.objects.select_related("chapter", "room").filter(
        chapter=chapter, slug=slug).first()
    if group is not None:
        group.chapter = chapter  # the chain's instance: its url_path and names
    return group


def membership_of(member: Member, group: Group) -> Membership | None:
    """The member's membership of (or request to join) `group`, or None."""
    return Membership.objects.filter(member=member, group=group).first()


def members_of(group: Group) -> QuerySet[Membership]:
    """The group's joined members, coordinators first, then by when they joined."""
    return (
        Membership.objects.filter(group=group, is_pending=False)
        .select_related("member")
        .order_by("-is_coordinator", "joined_at", "pk")
    )


def requests_to(group: Group) -> QuerySet[Membership]:
    """The requests to join `group` not accepted yet, oldest first."""
    return (
        Membership.objects.filter(group=group, is_pending=True)
        .select_related("member")
        .order_by("requested_at", "pk")
    )


def member_choices(group: Group) -> QuerySet[Member]:
    """The group's active members, by name: whom a task may be given to."""
    from chapterhouse.members.models import Member

    return Member.objects.filter(
        group_memberships__group=group, group_memberships__is_pending=False,
        user__is_active=True,
    ).order_by("sort_name", "pk")


def coordinators_of(group: Group) -> QuerySet[Member]:
    from chapterhouse.members.models import Member

    return Member.objects.filter(
        group_memberships__group=group, group_memberships__is_coordinator=True,
        user__is_active=True,
    )


_STATUS_ORDER = Case(
    When(status=Task.Status.DOING, then=Value(0)),
    When(status=Task.Status.OPEN, then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)


def tasks_of(group: Group) -> QuerySet[Task]:
    """The group's tasks: doing, then open, then done; by due date (none last)."""
    return (
        Task.objects.filter(group=group)
        .select_related("assignee")
        .annotate(status_order=_STATUS_ORDER)
        .order_by("status_order", "due_date", "pk")
    )


def get_task(group: Group, public_id: Any) -> Task | None:
    task = Task.objects.select_related("assignee").filter(group=group, public_id=public_id).first()
    if task is not None:
        task.group = group
    return task


def groups_of_member(member: Member) -> QuerySet[Membership]:
    """The member's groups (and requests) in every chapter, with their chapters: one
    query."""
    return (
        Membership.objects.filter(member=member)
        .select_related("group__chapter")
        .order_by("group__name", "pk")
    )


def account_export(member: Member) -> dict[str, Any]:
    """The member's groups and the tasks given to them, for their data export. Two
    queries."""
    return {
        "group_memberships": [
            {
                "group": membership.group.name,
                "chapter": membership.group.chapter.url_path,
                "url": membership.group.get_absolute_url(),
                "coordinator": membership.is_coordinator,
                "pending": membership.is_pending,
                "requested_at": membership.requested_at.isoformat(),
                "joined_at": membership.joined_at.isoformat() if membership.joined_at else None,
            }
            for membership in groups_of_member(member)
        ],
        "assigned_tasks": [
            {
                "group": task.group.name,
                "title": task.title,
                "status": task.status,
                "due_date": task.due_date.isoformat() if task.due_date else None,
            }
            for task in Task.objects.filter(assignee=member).select_related("group")
            .order_by("created_at", "pk")
        ],
    }


class SectionGroups:
    """The chapter's groups as chapters.sections asks for them: a chapter may give a
    section's posting to one of its working groups (registered in apps.py)."""

    def resolve(self, chapter: Chapter, text: str) -> tuple[str, str] | None:
        """The chapter's group whose name (any case), address or public id is `text`."""
        text = " ".join(str(text).split())
        if not text:
            return None
        match = Q(name__iexact=text) | Q(slug=text.strip("/").rsplit("/", 1)[-1])
        try:
            match |= Q(public_id=uuid.UUID(text))
        except ValueError:
            pass
        found = Group.objects.filter(match, chapter=chapter).values_list(
            "public_id", "name").first()
        return (str(found[0]), found[1]) if found else None

    def name(self, public_id: str) -> str | None:
        try:
            key = uuid.UUID(str(public_id))
        except ValueError:
            return None
        return Group.objects.filter(public_id=key).values_list("name", flat=True).first()

    def has_member(self, public_id: str, member: Member) -> bool:
        try:
            key = uuid.UUID(str(public_id))
        except ValueError:
            return False
        return Membership.objects.filter(group__public_id=key, member=member,
                                         is_pending=False).exists()


def get_group_by_id(public_id: Any) -> Group | None:
    """The group `public_id`, whatever its chapter (the API's address)."""
    return Group.objects.select_related("chapter", "room").filter(public_id=public_id).first()
