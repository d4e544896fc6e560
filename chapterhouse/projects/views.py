"""A chapter's projects, working groups and caucuses: the list in the chapter's
"Projects" section, a group's page (description, members, tasks, updates, a link to
its room), the forms to create and edit one, and the buttons to join, leave, accept
requests, name coordinators and work on tasks. Plain forms: all of it works without
JavaScript. Interfaces only: parse, authorise, call one service, redirect."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.access import access_chapter
from chapterhouse.chapters.navigation import section_context
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import (
    form_action,
    member_required,
    require,
    submit_form,
    viewer_of,
)
from chapterhouse.members.models import Member

from . import panels, selectors, services
from .access import access_group, access_task
from .forms import AssignForm, GroupForm, MemberForm, StatusForm, TaskForm
from .models import Group

GROUPS_PER_PAGE = 30


def my_groups_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    """The member's groups on "My chapters" (chapters.memberships). One query."""
    return {"memberships": list(selectors.groups_of_member(member))}


@require_safe
def chapter_groups(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's groups by name, with their members and open tasks counted."""
    context = section_context(request, url_path, "projects")
    chapter = context["chapter"]
    rows = selectors.groups_of(chapter)
    context["page_obj"] = Paginator(rows, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    context["may_create"] = viewer_of(request).can("projects.create_group", chapter)
    return render(request, "projects/chapter.html", context)


def _group_form_page(request: HttpRequest, context: dict[str, Any], form: GroupForm,
                     status: int) -> HttpResponse:
    context["form"] = form
    return render(request, "projects/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest, url_path: str) -> HttpResponse:
    context = section_context(request, url_path, "projects")
    chapter = context["chapter"]
    require(request, "projects.create_group", chapter,
            _("Only members of this chapter can start a group in it."))
    creator = member_required(request)
    if request.method != "POST":
        return _group_form_page(request, context, GroupForm(), 200)
    form = GroupForm(request.POST)
    done = submit_form(
        request, form,
        lambda: services.create_group(
            chapter=chapter, creator=creator, name=form.cleaned_data["name"],
            description=form.cleaned_data["description"], kind=form.cleaned_data["kind"],
            joining=form.cleaned_data["joining"],
        ),
        success=_("Your group is started: you are its coordinator."),
        then=lambda group: group.get_absolute_url(),
    )
    return done or _group_form_page(request, context, form, 400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    context = section_context(request, url_path, "projects")
    group = access_group(request, context["chapter"], slug, "projects.coordinate",
                         denied=_("Only the group's coordinators can change it."))
    editor = member_required(request)
    context["group"] = group
    if request.method != "POST":
        form = GroupForm(initial={"name": group.name, "kind": group.kind,
                                  "joining": group.joining, "description": group.description})
        return _group_form_page(request, context, form, 200)
    form = GroupForm(request.POST)
    done = submit_form(
        request, form,
        lambda: services.edit_group(
            group=group, editor=editor, name=form.cleaned_data["name"],
            description=form.cleaned_data["description"], kind=form.cleaned_data["kind"],
            joining=form.cleaned_data["joining"],
        ),
        success=_("The group is saved."), then=group.get_absolute_url(),
    )
    return done or _group_form_page(request, context, form, 400)


def _group_page(request: HttpRequest, url_path: str, slug: str, *,
                task_form: TaskForm | None = None, status: int = 200) -> HttpResponse:
    context = section_context(request, url_path, "projects")
    group = access_group(request, context["chapter"], slug)
    viewer = viewer_of(request)
    members = list(selectors.members_of(group))
    in_group = viewer.can("projects.work_on_tasks", group)
    may_coordinate = viewer.can("projects.coordinate", group)
    context.update({
        "group": group,
        "members": members,
        "requests": list(selectors.requests_to(group)) if may_coordinate else [],
        "tasks": list(selectors.tasks_of(group)),
        "statuses": StatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
        "assignable": list(selectors.member_choices(group)) if in_group else [],
        "in_group": in_group,
        "asked": viewer.active_member is not None and not in_group
        and viewer.can("projects.leave_group", group),
        "may_join": viewer.can("projects.join_group", group),
        "may_coordinate": may_coordinate,
        "task_form": task_form or TaskForm(members=selectors.member_choices(group)),
        "thread": thread_about(group, kind=services.UPDATES_KIND),
        "panels": panels.rendered_panels(request, group),
    })
    return render(request, "projects/group.html", context, status=status)


@require_safe
def group_page(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    return _group_page(request, url_path, slug)


def _posted_group(request: HttpRequest, url_path: str, slug: str, permission: str,
                  denied: str) -> tuple[Group, Member]:
    found = access_chapter(request, url_path)
    member = member_required(request)
    return access_group(request, found.chapter, slug, permission, denied=denied), member


def _member_from(request: HttpRequest, group: Group) -> Member:
    form = MemberForm(request.POST)
    member = None
    if form.is_valid():
        member = Member.objects.select_related("user").filter(
            public_id=form.cleaned_data["member"], group_memberships__group=group).first()
    if member is None:
        raise Http404(_("There is no such member in this group."))
    return member


@login_required
@require_POST
def join(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    group, member = _posted_group(request, url_path, slug, "projects.join_group",
                                  _("Only members of the group's chapter can join it."))
    success = (_("You joined the group and its chat room.") if group.is_open
               else _("You asked to join: the group's coordinators will answer."))
    return form_action(request, lambda: services.join_group(group=group, member=member),
                       success=success, then=group.get_absolute_url())


@login_required
@require_POST
def leave(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    group, member = _posted_group(request, url_path, slug, "projects.leave_group",
                                  _("You are not in this group."))
    return form_action(request, lambda: services.leave_group(group=group, member=member),
                       success=_("You left the group."), then=group.get_absolute_url())


@login_required
@require_POST
def accept(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    group, coordinator = _posted_group(
        request, url_path, slug, "projects.coordinate",
        _("Only the group's coordinators can answer requests."))
    member = _member_from(request, group)
    return form_action(
        request,
        lambda: services.accept_request(group=group, coordinator=coordinator, member=member),
        success=_("%(name)s is now a member of the group.") % {"name": member.display_name},
        then=group.get_absolute_url())


@login_required
@require_POST
def decline(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    group, coordinator = _posted_group(
        request, url_path, slug, "projects.coordinate",
        _("Only the group's coordinators can answer requests."))
    member = _member_from(request, group)
    return form_action(
        request,
        lambda: services.decline_request(group=group, coordinator=coordinator, member=member),
        success=_("The request is declined."), then=group.get_absolute_url())


@login_required
@require_POST
def add_coordinator(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    group, by = _posted_group(request, url_path, slug, "projects.coordinate",
                              _("Only the group's coordinators can name coordinators."))
    member = _member_from(request, group)
    return form_action(
        request, lambda: services.add_coordinator(group=group, by=by, member=member),
        success=_("%(name)s is now a coordinator.") % {"name": member.display_name},
        then=group.get_absolute_url())


@login_required
@require_POST
def add_task(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    group, author = _posted_group(request, url_path, slug, "projects.work_on_tasks",
                                  _("Only the group's members can add tasks."))
    form = TaskForm(request.POST, members=selectors.member_choices(group))
    done = submit_form(
        request, form,
        lambda: services.add_task(group=group, author=author, title=form.cleaned_data["title"],
                                  assignee=form.cleaned_data["assignee"],
                                  due_date=form.cleaned_data["due_date"]),
        success=_("The task is added."), then=group.get_absolute_url() + "#tasks",
    )
    return done or _group_page(request, url_path, slug, task_form=form, status=400)


@login_required
@require_POST
def task_status(request: HttpRequest, url_path: str, slug: str, task_id: str) -> HttpResponse:
    group, member = _posted_group(request, url_path, slug, "projects.work_on_tasks",
                                  _("Only the group's members can change its tasks."))
    task = access_task(request, group, task_id)
    form = StatusForm(request.POST)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return form_action(
        request, lambda: services.set_task_status(task=task, member=member, status=status),
        success=_("The task is moved."), then=group.get_absolute_url() + "#tasks")


@login_required
@require_POST
def task_assign(request: HttpRequest, url_path: str, slug: str, task_id: str) -> HttpResponse:
    group, by = _posted_group(request, url_path, slug, "projects.work_on_tasks",
                              _("Only the group's members can change its tasks."))
    task = access_task(request, group, task_id)
    form = AssignForm(request.POST, members=selectors.member_choices(group))

    def run() -> object:
        if not form.is_valid():
            raise Refused(_("A task can only be given to a member of the group."))
        return services.assign_task(task=task, by=by, assignee=form.cleaned_data["assignee"])

    return form_action(request, run, success=_("The task is assigned."),
                       then=group.get_absolute_url() + "#tasks")
