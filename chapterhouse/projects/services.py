"""Writes to projects, working groups and caucuses: the group, who is in it, its
tasks.

Every function is keyword-only, runs in one transaction and returns the object. A
refusal (an empty or oversized name, a member of another chapter, an assignee who is
not in the group) raises `Refused` with nothing stored. Who may act is the callers'
check (the `projects.*` rules, through access.py); what is true whoever calls is
checked here.

A group owns two things of other apps, made with it: its invite-only chat room, whose
membership follows the group's (joining the group puts the member in the room,
leaving takes them out), and its updates, a discussions thread about it whose posting
rule is `projects.post_update`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse.chat import selectors as chat_selectors
from chapterhouse.chat import services as chat_services
from chapterhouse.chat.models import Room
from chapterhouse.discussions import services as discussion_services
from chapterhouse.discussions.models import Thread
from chapterhouse.lib import audit
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from . import selectors
from .models import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
    Group,
    Membership,
    Task,
)

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# Page names after a chapter's projects/ address: no group may take them.
RESERVED_SLUGS = frozenset({"new"})
UPDATES_KIND = Thread.Kind.COMMENTS


def _clean_name(name: str) -> str:
    name = " ".join(without_bidi_controls(name or "").split())
    if not name:
        raise Refused(_("Give the group a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise Refused(_("A group's name can be at most %(limit)s characters long.")
                      % {"limit": NAME_MAX_LENGTH})
    return name


def _clean_description(description: str) -> str:
    description = without_bidi_controls(description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise Refused(_("A group's description can be at most %(limit)s characters long.")
                      % {"limit": DESCRIPTION_MAX_LENGTH})
    return description


def _check_choices(kind: str, joining: str) -> None:
    if kind not in Group.Kind.values:
        raise Refused(_("Choose what kind of group this is."))
    if joining not in Group.Joining.values:
        raise Refused(_("Choose whether members join at once or by request."))


def _free_slug(chapter: Chapter, name: str) -> str:
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].strip("-") or "group"
    taken = set(Group.objects.filter(chapter=chapter, slug__startswith=base)
                .values_list("slug", flat=True)) | RESERVED_SLUGS
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_group(
    *, chapter: Chapter, creator: Member, name: str, description: str = "",
    kind: str = Group.Kind.WORKING_GROUP, joining: str = Group.Joining.OPEN,
) -> Group:
    """A new group in `chapter`, its creator its first member and coordinator, with
    its invite-only chat room (the creator in it) and its updates thread (empty)."""
    name = _clean_name(name)
    description = _clean_description(description)
    _check_choices(kind, joining)
    if not creator.belongs_to(chapter):
        raise Refused(_("You can only start groups in your own chapters."))
    now = timezone.now()
    try:
        with transaction.atomic():
            room = chat_services.create_room(chapter=chapter, creator=creator, name=name,
                                             access=Room.Access.INVITE)
            group = Group.objects.create(
                chapter=chapter, kind=kind, name=name, slug=_free_slug(chapter, name),
                description=description, joining=joining, room=room, created_by=creator,
                created_at=now,
            )
            Membership.objects.create(group=group, member=creator, is_coordinator=True,
                                      requested_at=now, joined_at=now)
            discussion_services.start_thread(
                chapter=chapter, author=creator, title=name, body=None, kind=UPDATES_KIND,
                subject=group, posting_rule="projects.post_update",
            )
            audit.record(actor=creator, action="projects.create_group", target=group,
                         chapter=chapter, data={"name": name, "kind": kind,
                                                "joining": joining})
    except IntegrityError:
        # Two groups of the same name at once: the slug constraint let one through.
        raise Refused(_("A group of that name was just made here: try another name.")) from None
    return group


def edit_group(
    *, group: Group, editor: Member, name: str, description: str, kind: str, joining: str,
) -> Group:
    """Change the group's name, description, kind or way of joining (its address stays).
    Making an approved group open does not accept the pending requests: they stay for
    the coordinators to answer."""
    name = _clean_name(name)
    description = _clean_description(description)
    _check_choices(kind, joining)
    with transaction.atomic():
        group.name, group.description, group.kind, group.joining = name, description, kind, joining
        group.save(update_fields=["name", "description", "kind", "joining"])
    return group


def _enter_room(group: Group, member: Member, inviter: Member) -> None:
    room = group.room
    if room is not None and not chat_selectors.is_room_member(member, room):
        chat_services.invite_to_room(room=room, inviter=inviter, member=member)


def _leave_room(group: Group, member: Member) -> None:
    room = group.room
    if room is not None and chat_selectors.is_room_member(member, room):
        chat_services.leave_room(room=room, member=member)


def join_group(*, group: Group, member: Member) -> Membership:
    """The member joins an open group at once (and its room), or asks to join an
    approved one: its coordinators are told, and the membership is pending until one
    of them accepts it."""
    if not member.belongs_to(group.chapter):
        raise Refused(_("Only members of the group's chapter can join it."))
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    group=group, member=member, is_pending=not group.is_open,
                    requested_at=now, joined_at=now if group.is_open else None,
                )
        except IntegrityError:
            raise Refused(_("You are in this group already, or asked to join it.")) from None
        if group.is_open:
            _enter_room(group, member, inviter=member)
        else:
            notify(
                recipients=selectors.coordinators_of(group).exclude(pk=member.pk),
                kind=Kind.GROUP_REQUEST, message="projects.request",
                params={"member": member.display_name, "group": group.name},
                url=group.get_absolute_url(), event=f"group_request:{membership.pk}",
            )
    return membership


def _pending(group: Group, member: Member) -> Membership:
    membership = Membership.objects.select_for_update().filter(
        group=group, member=member).first()
    if membership is None or not membership.is_pending:
        raise Refused(_("%(name)s has no request to join this group.")
                      % {"name": member.display_name})
    return membership


def accept_request(*, group: Group, coordinator: Member, member: Member) -> Membership:
    """A coordinator accepts `member`'s request: they join the group and its room."""
    with transaction.atomic():
        membership = _pending(group, member)
        if not member.user.is_active or not member.belongs_to(group.chapter):
            raise Refused(_("%(name)s can no longer join this group.")
                          % {"name": member.display_name})
        membership.is_pending = False
        membership.joined_at = timezone.now()
        membership.save(update_fields=["is_pending", "joined_at"])
        _enter_room(group, member, inviter=coordinator)
        notify(recipients=[member], kind=Kind.GROUP_REQUEST, message="projects.accepted",
               params={"group": group.name}, url=group.get_absolute_url(),
               event=f"group_accepted:{membership.pk}")
    return membership


def decline_request(*, group: Group, coordinator: Member, member: Member) -> Group:
    """A coordinator declines `member`'s request (they may ask again)."""
    with transaction.atomic():
        _pending(group, member).delete()
    return group


def leave_group(*, group: Group, member: Member) -> Group:
    """The member leaves the group and its room (or withdraws their request); the tasks
    given to them are unassigned. The last coordinator may not leave while others are
    in the group: they name another coordinator first."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(
            group=group, member=member).first()
        if membership is None:
            raise Refused(_("You are not in this group."))
        if membership.is_coordinator:
            others = Membership.objects.filter(group=group, is_pending=False).exclude(
                pk=membership.pk)
            coordinators = others.filter(is_coordinator=True, member__user__is_active=True)
            if others.exists() and not coordinators.exists():
                raise Refused(_("You are the group's only coordinator: name another "
                                "coordinator before you leave."))
        membership.delete()
        Task.objects.filter(group=group, assignee=member).update(
            assignee=None, updated_at=timezone.now())
        _leave_room(group, member)
    return group


def add_coordinator(*, group: Group, by: Member, member: Member) -> Membership:
    """`by` names `member`, a member of the group, one of its coordinators."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(
            group=group, member=member, is_pending=False).first()
        if membership is None:
            raise Refused(_("Only the group's members can be its coordinators."))
        if membership.is_coordinator:
            raise Refused(_("%(name)s is a coordinator already.")
                          % {"name": member.display_name})
        membership.is_coordinator = True
        membership.save(update_fields=["is_coordinator"])
        audit.record(actor=by, action="projects.add_coordinator", target=group,
                     chapter=group.chapter, data={"member": str(member.public_id)})
    return membership


# -- Tasks ---------------------------------------------------------------------------


def _check_assignee(group: Group, assignee: Member | None) -> None:
    if assignee is not None and not Membership.objects.filter(
        group=group, member=assignee, is_pending=False, member__user__is_active=True,
    ).exists():
        raise Refused(_("A task can only be given to a member of the group."))


def _tell_assignee(task: Task, by: Member) -> None:
    assignee = task.assignee
    if assignee is None or assignee.pk == by.pk:
        return
    notify(recipients=[assignee], kind=Kind.TASK_ASSIGNED, message="projects.task_assigned",
           params={"by": by.display_name, "group": task.group.name, "title": task.title},
           url=task.group.get_absolute_url())


def add_task(
    *, group: Group, author: Member, title: str, assignee: Member | None = None,
    due_date: datetime.date | None = None,
) -> Task:
    """A new open task; its assignee (a member of the group) is told."""
    title = " ".join(without_bidi_controls(title or "").split())
    if not title:
        raise Refused(_("Give the task a title."))
    if len(title) > TASK_TITLE_MAX_LENGTH:
        raise Refused(_("A task's title can be at most %(limit)s characters long.")
                      % {"limit": TASK_TITLE_MAX_LENGTH})
    _check_assignee(group, assignee)
    with transaction.atomic():
        now = timezone.now()
        task = Task.objects.create(group=group, title=title, assignee=assignee,
                                   due_date=due_date, created_by=author, created_at=now,
                                   updated_at=now)
        _tell_assignee(task, author)
    return task


def set_task_status(*, task: Task, member: Member, status: str) -> Task:
    """Move the task to open, doing or done."""
    if status not in Task.Status.values:
        raise Refused(_("Choose open, doing or done."))
    with transaction.atomic():
        task.status = status
        task.updated_at = timezone.now()
        task.save(update_fields=["status", "updated_at"])
    return task


def assign_task(*, task: Task, by: Member, assignee: Member | None) -> Task:
    """Give the task to `assignee` (a member of the group; None: to nobody), who is
    told unless they gave it to themselves."""
    _check_assignee(task.group, assignee)
    with transaction.atomic():
        changed = task.assignee_id != (assignee.pk if assignee else None)
        task.assignee = assignee
        task.updated_at = timezone.now()
        task.save(update_fields=["assignee", "updated_at"])
        if changed:
            _tell_assignee(task, by)
    return task
