"""Moderation over the REST API (v1): the same rules as the pages.

    POST /api/v1/moderation/reports/            report a piece of content: content
                                                (its kind), id, reason; reporting it
                                                again changes the reason (counts once)
    GET  /api/v1/moderation/queue/?chapter=     the things reported to the chapter's
                                                facilitators, oldest first
    POST /api/v1/moderation/decisions/          hide, restore, or dismiss the reports
                                                of a piece of content, with a reason
    POST /api/v1/moderation/appeals/            its author appeals a hiding, once
    GET  /api/v1/moderation/appeals/?chapter=   the appeals the chapter's facilitators
                                                decide (those of the chapters below)
    POST /api/v1/moderation/appeals/decide/     restore the content or uphold the
                                                hiding, with a reason
    GET  /api/v1/moderation/log/?chapter=       the chapter's public moderation log

Content the viewer may not see is a 404 (its existence is not told); reporting,
deciding and appealing need credentials (401) and the pages' rules (403: one's own
content is not reported, only its chapter's facilitators and those above decide). A
refusal (no reason, hidden already, not hidden, nothing to dismiss, appealed already)
is a 400 with its reason, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_chapter, url_path_of
from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib import reportables
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, require, viewer_of

from . import selectors, services
from .models import Action, Report
from .serializers import (
    CHAPTER_HELP,
    ActionSerializer,
    AppealDecisionRequestSerializer,
    AppealItemSerializer,
    AppealRequestSerializer,
    AppealSerializer,
    DecisionRequestSerializer,
    DecisionResultSerializer,
    QueueItemSerializer,
    ReportRequestSerializer,
    ReportSerializer,
)

TAGS = ["moderation"]
CHAPTER_PARAMETER = OpenApiParameter("chapter", str, required=True,
                                     description=str(CHAPTER_HELP))


def _target(request: Request, label: str, pk: int) -> tuple[reportables.Reportable, Any]:
    """The content, if the viewer may see it (404 otherwise, as the pages)."""
    found = selectors.target_of(label, pk)
    if found is None:
        raise Http404(_("There is no such content."))
    reportable, target = found
    if reportable.view is not None and not viewer_of(request).can(
            reportable.view, reportable.view_on(target)):
        raise Http404(_("There is no such content."))
    return found


def _chapter(request: Request) -> ChapterChain:
    lookup = request.query_params.get("chapter")
    if not lookup:
        raise ValidationError({"chapter": [_("Give the chapter's address.")]})
    return access_chapter(request, url_path_of(lookup))


@extend_schema(tags=TAGS)
class ReportCreate(generics.GenericAPIView[Report]):
    """Report a piece of content to the facilitators of its chapter (201; 200 when you
    had reported it already: your reason changes, and it still counts once)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReportRequestSerializer

    @extend_schema(request=ReportRequestSerializer,
                   responses={201: ReportSerializer, 200: ReportSerializer})
    def post(self, request: Request) -> Response:
        member = member_required(request)
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reportable, target = _target(request, data["content"], data["id"])
        require(request, "moderation.report", target, _("You cannot report this."))
        already = selectors.open_report_of(target, member.pk) is not None
        try:
            made = services.report(reporter=member, target=target, reason=data["reason"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(ReportSerializer(made, context={"label": reportable.label}).data,
                        status=status.HTTP_200_OK if already else status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class Queue(generics.GenericAPIView[Any]):  # its rows are QueueItems, not a model's
    """The things reported to the chapter's facilitators (its own content, and the
    chapters' below that waited their chapter's time), oldest report first; for its
    facilitators (and those above it) only."""

    permission_classes = [IsAuthenticated]
    serializer_class = QueueItemSerializer

    @extend_schema(parameters=[CHAPTER_PARAMETER],
                   responses={200: QueueItemSerializer(many=True)})
    def get(self, request: Request) -> Response:
        found = _chapter(request)
        require(request, "moderation.view_queue", found.chapter,
                _("Only the chapter's facilitators see its moderation queue."))
        page = self.paginate_queryset(selectors.queue(found.chapter))  # type: ignore[arg-type]
        return self.get_paginated_response(QueueItemSerializer(page, many=True).data)


@extend_schema(tags=TAGS)
class Decide(generics.GenericAPIView[Report]):
    """Hide a piece of content (its reason is shown in its place; its author is told),
    restore it, or dismiss its reports; in the chapter's public log and audited."""

    permission_classes = [IsAuthenticated]
    serializer_class = DecisionRequestSerializer

    @extend_schema(request=DecisionRequestSerializer,
                   responses={200: DecisionResultSerializer})
    def post(self, request: Request) -> Response:
        moderator = member_required(request)
        serializer = DecisionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reportable, target = _target(request, data["content"], data["id"])
        require(request, "moderation.moderate", target, _("You do not moderate this."))
        hiding, dismissed = None, None
        try:
            if data["decision"] == "dismiss":
                dismissed = services.dismiss(target=target, moderator=moderator,
                                             reason=data["reason"])
            elif data["decision"] == "hide":
                hiding = services.hide(target=target, moderator=moderator,
                                       reason=data["reason"])
            else:
                hiding = services.restore(target=target, moderator=moderator,
                                          reason=data["reason"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(DecisionResultSerializer({
            "content": reportable.label, "id": target.pk, "decision": data["decision"],
            "hiding": hiding, "dismissed": dismissed,
        }).data)


@extend_schema(tags=TAGS)
class Appeals(generics.GenericAPIView[Any]):  # its rows are QueueItems, not a model's
    """GET: the appeals the chapter's facilitators decide (of content hidden in the
    chapters directly below it), oldest first; for them only. POST: the author of
    hidden content appeals, once, to the facilitators of the chapter above (201);
    content not hidden, or not yours, is a 404."""

    permission_classes = [IsAuthenticated]
    serializer_class = AppealRequestSerializer

    @extend_schema(parameters=[CHAPTER_PARAMETER],
                   responses={200: AppealItemSerializer(many=True)})
    def get(self, request: Request) -> Response:
        found = _chapter(request)
        require(request, "moderation.view_queue", found.chapter,
                _("Only the chapter's facilitators see its moderation queue."))
        page = self.paginate_queryset(selectors.appeals_for(found.chapter))  # type: ignore[arg-type]
        return self.get_paginated_response(AppealItemSerializer(page, many=True).data)

    @extend_schema(request=AppealRequestSerializer, responses={201: AppealSerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = AppealRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _reportable, target = _target(request, data["content"], data["id"])
        hidden = selectors.hidden_of(target)
        if hidden is None or hidden.author_id != author.pk:
            raise Http404(_("There is no such content."))
        require(request, "moderation.appeal", hidden, _("You cannot appeal this (once only)."))
        try:
            made = services.appeal(hidden=hidden, author=author, text=data["text"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AppealSerializer(made).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class AppealDecide(generics.GenericAPIView[Report]):
    """The facilitators of the chapter above (never the one who hid it) restore the
    content or uphold its hiding, with a reason; its author is told, and the public
    log shows it."""

    permission_classes = [IsAuthenticated]
    serializer_class = AppealDecisionRequestSerializer

    @extend_schema(request=AppealDecisionRequestSerializer, responses={200: AppealSerializer})
    def post(self, request: Request) -> Response:
        moderator = member_required(request)
        serializer = AppealDecisionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _reportable, target = _target(request, data["content"], data["id"])
        hidden = selectors.hidden_of(target)
        appeal = getattr(hidden, "appeal", None) if hidden is not None else None
        if appeal is None:
            raise Http404(_("There is no appeal of this to decide."))
        require(request, "moderation.decide_appeal", appeal,
                _("You do not decide this appeal."))
        try:
            decided = services.decide_appeal(appeal=appeal, moderator=moderator,
                                             restore=data["decision"] == "restore",
                                             reason=data["reason"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(AppealSerializer(decided).data)


@extend_schema(tags=TAGS)
class Log(generics.ListAPIView[Action]):
    """The chapter's public moderation log, newest first: what kind of content, what
    was decided, why, and by whom (their role). Never the content. Anyone reads it."""

    serializer_class = ActionSerializer

    def get_queryset(self) -> Any:
        return selectors.log_of(_chapter(self.request).chapter)

    @extend_schema(parameters=[CHAPTER_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("moderation/reports/", ReportCreate.as_view(), name="moderation-report"),
    path("moderation/queue/", Queue.as_view(), name="moderation-queue"),
    path("moderation/decisions/", Decide.as_view(), name="moderation-decide"),
    path("moderation/appeals/", Appeals.as_view(), name="moderation-appeals"),
    path("moderation/appeals/decide/", AppealDecide.as_view(),
         name="moderation-decide-appeal"),
    path("moderation/log/", Log.as_view(), name="moderation-log"),
]
