"""A chapter's projects, working groups and caucuses over the REST API (v1): the same
rules as the pages.

    GET   /api/v1/groups/?chapter=<address>        the chapter's groups by name (?page=)
    POST  /api/v1/groups/                          start one: chapter, name, description,
                                                   kind, joining (you are its coordinator)
    GET   /api/v1/groups/<id>/                     one, with its members and tasks (and,
                                                   to its coordinators, the requests)
    PATCH /api/v1/groups/<id>/                     edit name, description, kind, joining
    POST  /api/v1/groups/<id>/join/                join an open group, or ask to join an
                                                   approved one (the membership says which)
    POST  /api/v1/groups/<id>/leave/               leave (or withdraw your request)
    POST  /api/v1/groups/<id>/accept/              a coordinator accepts a request: member
    POST  /api/v1/groups/<id>/decline/             a coordinator declines it: member
    POST  /api/v1/groups/<id>/tasks/               add a task: title, assignee, due_date
    POST  /api/v1/groups/<id>/tasks/<task>/assign/ give it to a member (or null: nobody)
    POST  /api/v1/groups/<id>/tasks/<task>/status/ move it: open, doing or done

A chapter's address is its url_path, `international` for the root. Anyone reads,
unless the chapter keeps its projects to its members (404 for others, as for an
unknown chapter or id). Writing needs credentials (401) and the rule of the page (403):
a chapter's members start and join its groups, a group's members work on its tasks,
its coordinators (and the chapter's facilitators) edit it and answer requests. A
refusal (bad or unknown fields, a name too long, a task given to someone outside the
group) is a 400 with its reason; nothing is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_section, url_path_of
from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.conversations.api import PersonSerializer
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, require, viewer_of
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer
from chapterhouse.members.models import Member

from . import selectors, services
from .access import access_group_by_id, access_task
from .models import (
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
    Group,
    Membership,
    Task,
)

TAGS = ["projects"]
SECTION = "projects"
CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")




class GroupSerializer(serializers.ModelSerializer[Group]):
    """A group as a chapter's list shows it."""

    chapter = ChapterRefSerializer(read_only=True)
    member_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy(
        "Its members (requests not counted)."))
    open_tasks = serializers.IntegerField(read_only=True, help_text=gettext_lazy(
        "Its tasks not done."))
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Group
        fields = ["public_id", "chapter", "kind", "name", "slug", "description", "joining",
                  "member_count", "open_tasks", "created_at", "web_url"]
        read_only_fields = fields


class GroupMembershipSerializer(serializers.ModelSerializer[Membership]):
    """A member in a group, or asking to join it (`is_pending`)."""

    member = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["member", "is_coordinator", "is_pending", "requested_at", "joined_at"]
        read_only_fields = fields


class GroupTaskSerializer(serializers.ModelSerializer[Task]):
    assignee = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Task
        fields = ["public_id", "title", "status", "assignee", "due_date", "created_at",
                  "updated_at"]
        read_only_fields = fields


class GroupDetailSerializer(serializers.ModelSerializer[Group]):
    """A group with its members (coordinators first), its tasks (doing, open, done) and,
    for its coordinators only, the requests to join it (empty for anyone else)."""

    chapter = ChapterRefSerializer(read_only=True)
    description_html = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The Markdown rendered and sanitised."))
    members = serializers.SerializerMethodField()
    requests = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Group
        fields = ["public_id", "chapter", "kind", "name", "slug", "description",
                  "description_html", "joining", "created_at", "members", "requests",
                  "tasks", "web_url"]
        read_only_fields = fields

    def get_description_html(self, group: Group) -> str:
        return str(render_markdown(group.description))

    @extend_schema_field(GroupMembershipSerializer(many=True))
    def get_members(self, group: Group) -> Any:
        return GroupMembershipSerializer(selectors.members_of(group), many=True).data

    @extend_schema_field(GroupMembershipSerializer(many=True))
    def get_requests(self, group: Group) -> Any:
        request = self.context.get("request")
        if request is None or not viewer_of(request).can("projects.coordinate", group):
            return []
        return GroupMembershipSerializer(selectors.requests_to(group), many=True).data

    @extend_schema_field(GroupTaskSerializer(many=True))
    def get_tasks(self, group: Group) -> Any:
        return GroupTaskSerializer(selectors.tasks_of(group), many=True).data


class GroupCreateSerializer(StrictSerializer):
    chapter = serializers.CharField(help_text=CHAPTER_HELP)
    # Lengths are the service's to check (with its own message).
    name = serializers.CharField(max_length=NAME_MAX_LENGTH + 1000)
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=DESCRIPTION_MAX_LENGTH + 1000)
    kind = serializers.ChoiceField(choices=Group.Kind.choices, required=False,
                                   default=Group.Kind.WORKING_GROUP)
    joining = serializers.ChoiceField(choices=Group.Joining.choices, required=False,
                                      default=Group.Joining.OPEN)


class GroupEditSerializer(StrictSerializer):
    name = serializers.CharField(required=False, max_length=NAME_MAX_LENGTH + 1000)
    description = serializers.CharField(required=False, allow_blank=True,
                                        max_length=DESCRIPTION_MAX_LENGTH + 1000)
    kind = serializers.ChoiceField(choices=Group.Kind.choices, required=False)
    joining = serializers.ChoiceField(choices=Group.Joining.choices, required=False)


class GroupMemberSerializer(StrictSerializer):
    member = serializers.UUIDField(help_text=gettext_lazy(
        "The public id of the member who asked to join."))


class TaskAddSerializer(StrictSerializer):
    title = serializers.CharField(max_length=TASK_TITLE_MAX_LENGTH + 1000)
    assignee = serializers.UUIDField(required=False, allow_null=True, default=None,
                                     help_text=gettext_lazy(
                                         "The public id of a member of the group."))
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class TaskAssignSerializer(StrictSerializer):
    assignee = serializers.UUIDField(allow_null=True, help_text=gettext_lazy(
        "The public id of a member of the group; null: nobody."))


class TaskStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=Task.Status.choices)


def _group_member(group: Group, public_id: uuid.UUID | None) -> Member | None:
    """A member of the group (or asking to join it) by public id; 400 for anyone else."""
    if public_id is None:
        return None
    member = Member.objects.select_related("user").filter(
        public_id=public_id, group_memberships__group=group).first()
    if member is None:
        raise ValidationError({"member": [_("There is no such member in this group.")]})
    return member


def _assignee(group: Group, public_id: uuid.UUID | None) -> Member | None:
    if public_id is None:
        return None
    member = selectors.member_choices(group).select_related("user").filter(
        public_id=public_id).first()
    if member is None:
        raise ValidationError({"assignee": [
            _("A task can only be given to a member of the group.")]})
    return member


def _detail(request: Request, group: Group, code: int = status.HTTP_200_OK) -> Response:
    viewer_of(request).forget()
    return Response(GroupDetailSerializer(group, context={"request": request}).data,
                    status=code)


@extend_schema(tags=TAGS)
class GroupList(generics.ListAPIView[Group]):
    """A chapter's groups by name, with their members and open tasks counted. POST
    starts a group in it (its members; 201): you are its first member and coordinator."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = GroupSerializer

    def get_queryset(self) -> QuerySet[Group]:
        lookup = self.request.query_params.get("chapter")
        if not lookup:
            raise ValidationError({"chapter": [_("Give the chapter's address.")]})
        found = access_section(self.request, url_path_of(lookup), SECTION)
        return selectors.groups_of(found.chapter)

    @extend_schema(parameters=[OpenApiParameter("chapter", str, required=True,
                                                description=str(CHAPTER_HELP))])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=GroupCreateSerializer, responses={201: GroupDetailSerializer})
    def post(self, request: Request) -> Response:
        creator = member_required(request)
        serializer = GroupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        found = access_section(request, url_path_of(data["chapter"]), SECTION)
        require(request, "projects.create_group", found.chapter,
                _("Only members of this chapter can start a group in it."))
        try:
            group = services.create_group(
                chapter=found.chapter, creator=creator, name=data["name"],
                description=data["description"], kind=data["kind"], joining=data["joining"])
        except Refused as error:
            raise api_refusal(error) from None
        return _detail(request, group, status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class GroupDetail(generics.GenericAPIView[Group]):
    """One group with its members and tasks; PATCH edits its name, description, kind or
    way of joining (its coordinators and the chapter's facilitators)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = GroupDetailSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return _detail(request, access_group_by_id(request, public_id))

    @extend_schema(request=GroupEditSerializer, responses={200: GroupDetailSerializer})
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        group = access_group_by_id(request, public_id, "projects.coordinate",
                                   denied=_("Only the group's coordinators can change it."))
        editor = member_required(request)
        serializer = GroupEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.edit_group(
                group=group, editor=editor, name=data.get("name", group.name),
                description=data.get("description", group.description),
                kind=data.get("kind", group.kind), joining=data.get("joining", group.joining))
        except Refused as error:
            raise api_refusal(error) from None
        return _detail(request, group)


class _GroupAction(generics.GenericAPIView[Group]):
    permission_classes = [IsAuthenticated]
    serializer_class: type[serializers.BaseSerializer[Any]] = GroupMembershipSerializer


@extend_schema(tags=TAGS)
class GroupJoin(_GroupAction):
    """Join an open group (and its chat room) at once, or ask to join an approved one:
    the membership returned is then `is_pending` until a coordinator accepts it."""

    @extend_schema(request=None, responses={201: GroupMembershipSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        group = access_group_by_id(request, public_id, "projects.join_group",
                                   denied=_("Only members of the group's chapter can join "
                                            "it."))
        member = member_required(request)
        try:
            membership = services.join_group(group=group, member=member)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(GroupMembershipSerializer(membership).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class GroupLeave(_GroupAction):
    """Leave the group and its room, or withdraw your request (204). The last
    coordinator names another before leaving (400)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        group = access_group_by_id(request, public_id, "projects.leave_group",
                                   denied=_("You are not in this group."))
        member = member_required(request)
        try:
            services.leave_group(group=group, member=member)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class GroupAccept(_GroupAction):
    """A coordinator accepts a member's request to join: they join the group and its
    room."""

    serializer_class = GroupMemberSerializer

    @extend_schema(request=GroupMemberSerializer, responses={200: GroupMembershipSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        group = access_group_by_id(request, public_id, "projects.coordinate",
                                   denied=_("Only the group's coordinators can answer "
                                            "requests."))
        coordinator = member_required(request)
        serializer = GroupMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = _group_member(group, serializer.validated_data["member"])
        assert member is not None
        try:
            membership = services.accept_request(group=group, coordinator=coordinator,
                                                 member=member)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(GroupMembershipSerializer(membership).data)


@extend_schema(tags=TAGS)
class GroupDecline(_GroupAction):
    """A coordinator declines a member's request to join (204); they may ask again."""

    serializer_class = GroupMemberSerializer

    @extend_schema(request=GroupMemberSerializer, responses={204: None})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        group = access_group_by_id(request, public_id, "projects.coordinate",
                                   denied=_("Only the group's coordinators can answer "
                                            "requests."))
        coordinator = member_required(request)
        serializer = GroupMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = _group_member(group, serializer.validated_data["member"])
        assert member is not None
        try:
            services.decline_request(group=group, coordinator=coordinator, member=member)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class GroupTaskAdd(generics.GenericAPIView[Task]):
    """A member of the group adds an open task, given to a member of the group (who is
    told) or to nobody (201)."""

    permission_classes = [IsAuthenticated]
    serializer_class = TaskAddSerializer

    @extend_schema(request=TaskAddSerializer, responses={201: GroupTaskSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        group = access_group_by_id(request, public_id, "projects.work_on_tasks",
                                   denied=_("Only the group's members can add tasks."))
        author = member_required(request)
        serializer = TaskAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            task = services.add_task(group=group, author=author, title=data["title"],
                                     assignee=_assignee(group, data["assignee"]),
                                     due_date=data["due_date"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(GroupTaskSerializer(task).data, status=status.HTTP_201_CREATED)


def _task(request: Request, public_id: uuid.UUID, task_id: uuid.UUID) -> tuple[Task, Member]:
    group = access_group_by_id(request, public_id, "projects.work_on_tasks",
                               denied=_("Only the group's members can change its tasks."))
    member = member_required(request)
    task = access_task(request, group, task_id)
    return task, member


@extend_schema(tags=TAGS)
class GroupTaskAssign(generics.GenericAPIView[Task]):
    """Give a task to a member of the group (told unless they gave it to themselves), or
    to nobody (null)."""

    permission_classes = [IsAuthenticated]
    serializer_class = TaskAssignSerializer

    @extend_schema(request=TaskAssignSerializer, responses={200: GroupTaskSerializer})
    def post(self, request: Request, public_id: uuid.UUID, task_id: uuid.UUID) -> Response:
        task, by = _task(request, public_id, task_id)
        serializer = TaskAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee = _assignee(task.group, serializer.validated_data["assignee"])
        try:
            services.assign_task(task=task, by=by, assignee=assignee)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(GroupTaskSerializer(task).data)


@extend_schema(tags=TAGS)
class GroupTaskStatus(generics.GenericAPIView[Task]):
    """Move a task to open, doing or done."""

    permission_classes = [IsAuthenticated]
    serializer_class = TaskStatusSerializer

    @extend_schema(request=TaskStatusSerializer, responses={200: GroupTaskSerializer})
    def post(self, request: Request, public_id: uuid.UUID, task_id: uuid.UUID) -> Response:
        task, member = _task(request, public_id, task_id)
        serializer = TaskStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.set_task_status(task=task, member=member,
                                     status=serializer.validated_data["status"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(GroupTaskSerializer(task).data)


_one = "groups/<uuid:public_id>/"
urlpatterns = [
    path("groups/", GroupList.as_view(), name="group-list"),
    path(_one, GroupDetail.as_view(), name="group-detail"),
    path(_one + "join/", GroupJoin.as_view(), name="group-join"),
    path(_one + "leave/", GroupLeave.as_view(), name="group-leave"),
    path(_one + "accept/", GroupAccept.as_view(), name="group-accept"),
    path(_one + "decline/", GroupDecline.as_view(), name="group-decline"),
    path(_one + "tasks/", GroupTaskAdd.as_view(), name="group-task-add"),
    path(_one + "tasks/<uuid:task_id>/assign/", GroupTaskAssign.as_view(),
         name="group-task-assign"),
    path(_one + "tasks/<uuid:task_id>/status/", GroupTaskStatus.as_view(),
         name="group-task-status"),
]
