"""A chapter's projects, working groups and caucuses: who is in each, its tasks.

A group belongs to one chapter (International included: caucuses and currents of
opinion are groups not tied to a place). Its updates are a discussions thread about
it (kind "comments", posting rule `projects.post_update`), and it has its own
invite-only chat room whose membership follows the group's (services).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 80  # the chat room's name is the group's
SLUG_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 20_000
TASK_TITLE_MAX_LENGTH = 200


class Group(models.Model):
    class Kind(models.TextChoices):
        PROJECT = "project", _("project")
        WORKING_GROUP = "working_group", _("working group")
        CAUCUS = "caucus", _("caucus or current of opinion")

    class Joining(models.TextChoices):
        OPEN = "open", _("open: members join at once")
        APPROVED = "approved", _("approved: the coordinators accept each request")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.PROTECT, related_name="project_groups",
        verbose_name=_("chapter"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices,
                            default=Kind.WORKING_GROUP)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH,
                                   blank=True)
    joining = models.CharField(_("membership"), max_length=10, choices=Joining.choices,
                               default=Joining.OPEN)
    room = models.OneToOneField(
        "chat.Room", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "slug"], name="group_slug_in_chapter"),
            models.CheckConstraint(condition=~models.Q(name="") & ~models.Q(slug=""),
                                   name="group_named"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:group", kwargs={
            "url_path": self.chapter.url_path, "slug": self.slug,
        })

    @property
    def is_open(self) -> bool:
        return self.joining == self.Joining.OPEN


class Membership(models.Model):
    """A member in a group, or asking to be (`is_pending`: an approved group's request
    the coordinators have not accepted yet). Coordinators edit the group, accept
    requests and name other coordinators."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="group_memberships")
    is_coordinator = models.BooleanField(default=False)
    is_pending = models.BooleanField(default=False)
    requested_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="groupmember_once"),
            models.CheckConstraint(
                condition=~models.Q(is_pending=True, is_coordinator=True),
                name="groupmember_coordinator_joined",
            ),
        ]
        indexes = [models.Index(fields=["member", "group"], name="groupmember_member")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.group_id}"


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DOING = "doing", _("doing")
        DONE = "done", _("done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=TASK_TITLE_MAX_LENGTH)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    # Unassigned when the member leaves the group or deletes their account.
    assignee = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tasks", verbose_name=_("assigned to"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="task_titled"),
            models.CheckConstraint(condition=models.Q(status__in=["open", "doing", "done"]),
                                   name="task_status_known"),
        ]
        indexes = [models.Index(fields=["group", "status"], name="task_group_status")]

    def __str__(self) -> str:
        return self.title
