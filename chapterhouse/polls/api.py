"""A chapter's polls and surveys over the REST API (v1): the same rules as the pages.

    GET  /api/v1/polls/?chapter=<address>   the chapter's polls and surveys, newest
                                            first (?kind=poll|survey, ?page=)
    POST /api/v1/polls/                     ask a poll: chapter, question, options,
                                            multiple, anonymous, closes_at
    POST /api/v1/surveys/                   make a survey: chapter, title, description,
                                            questions, anonymous, by_link, closes_at
    GET  /api/v1/polls/<id>/                one, with its questions, and its results
                                            when the viewer may see them
    POST /api/v1/polls/<id>/answer/         a member's answers: {"answers": {"1": 0}}
    POST /api/v1/polls/<id>/close/          its author or a facilitator closes it now

Whoever sees the chapter's "polls" section sees its polls (404 otherwise, as a list
of a section kept to the members). Asking is for the section's posters, answering for
the chapter's members while it is open, once, closing early for its author and the
chapter's facilitators (403 otherwise). A survey's answers by
its public link (people without an account) are given on its page, not here. Bad
input (duplicate or empty options, a closing time past, an unknown option, a second
answer) is a 400 with its reason, and nothing is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_section, url_path_of
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import api_refusal, member_required, require, viewer_of

from . import selectors, services
from .access import access_poll_by_id
from .models import Poll, PollKind
from .serializers import (
    CHAPTER_HELP,
    PollAnswerSerializer,
    PollCreateSerializer,
    PollDetailSerializer,
    PollSerializer,
    SurveyCreateSerializer,
    detail_data,
)

TAGS = ["polls"]
SECTION = "polls"


def _chapter_to_ask(request: Request, lookup: str) -> Chapter:
    """The chapter where the viewer asks: 404 as the section's list, 403 as the page."""
    chapter = access_section(request, url_path_of(lookup), SECTION).chapter
    require(request, "polls.create", chapter,
            _("Only the members of this chapter can ask it something."))
    return chapter


def _detail(request: Request, poll: Poll) -> dict[str, Any]:
    """The poll as this viewer sees it: results only when they may see them (as the
    page); texts only for its author and the facilitators."""
    viewer = viewer_of(request)
    answered = selectors.has_answered(poll, viewer.active_member)
    may_export = viewer.can("polls.export", poll)
    shown = answered or viewer.can("polls.see_results", poll)
    return detail_data(
        poll, answered=answered, may_answer=not answered and viewer.can("polls.answer", poll),
        may_export=may_export,
        results=selectors.results(poll, with_texts=may_export) if shown else None)


@extend_schema(tags=TAGS)
class PollList(generics.ListAPIView[Poll]):
    """The chapter's polls and surveys, newest first, each with its number of answers.
    POST asks a poll (201)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = PollSerializer

    def get_queryset(self) -> QuerySet[Poll]:
        params = self.request.query_params
        lookup = params.get("chapter")
        if not lookup:
            raise ValidationError({"chapter": [_("Give the chapter's address.")]})
        kind = params.get("kind")
        if kind is not None and kind not in PollKind.values:  # an empty one too
            raise ValidationError({"kind": [_("Choose poll or survey.")]})
        chapter = access_section(self.request, url_path_of(lookup), SECTION).chapter
        return selectors.chapter_polls(chapter, kind=kind or "")

    @extend_schema(parameters=[
        OpenApiParameter("chapter", str, required=True, description=str(CHAPTER_HELP)),
        OpenApiParameter("kind", str, enum=PollKind.values,
                         description="Only polls, or only surveys."),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PollCreateSerializer, responses={201: PollDetailSerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = PollCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chapter = _chapter_to_ask(request, data["chapter"])
        try:
            poll = services.create_poll(
                chapter=chapter, author=author, question=data["question"],
                options=data["options"], multiple=data["multiple"],
                anonymous=data["anonymous"], closes_at=data["closes_at"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_detail(request, _reloaded(poll)), status=status.HTTP_201_CREATED)


def _reloaded(poll: Poll) -> Poll:
    """The poll as the selectors give it after a write (its chapter, author, questions
    and number of answers)."""
    found = selectors.get_poll_by_id(poll.public_id)
    return found if found is not None else poll


@extend_schema(tags=TAGS)
class SurveyCreate(generics.GenericAPIView[Poll]):
    """Make a survey of 1 to 20 questions (the chapter's posters, as the page; 201)."""

    permission_classes = [IsAuthenticated]
    serializer_class = SurveyCreateSerializer

    @extend_schema(request=SurveyCreateSerializer, responses={201: PollDetailSerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = SurveyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chapter = _chapter_to_ask(request, data["chapter"])
        questions = [services.QuestionInput(kind=q["kind"], text=q["text"],
                                            options=q["options"])
                     for q in data["questions"]]
        try:
            poll = services.create_survey(
                chapter=chapter, author=author, title=data["title"],
                description=data["description"], questions=questions,
                anonymous=data["anonymous"], by_link=data["by_link"],
                closes_at=data["closes_at"])
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_detail(request, _reloaded(poll)), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class PollDetail(generics.GenericAPIView[Poll]):
    """One poll or survey with its questions; its results when the viewer may see
    them (else null)."""

    serializer_class = PollDetailSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(_detail(request, access_poll_by_id(request, public_id)))


@extend_schema(tags=TAGS)
class PollAnswer(generics.GenericAPIView[Poll]):
    """A member of the poll's chapter answers, once, while it is open (201, with the
    results the answer lets them see)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PollAnswerSerializer

    @extend_schema(request=PollAnswerSerializer, responses={201: PollDetailSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        poll = access_poll_by_id(request, public_id, "polls.answer",
                                 denied=_("Only the members of this chapter answer, while "
                                          "it is open."))
        member = member_required(request)
        serializer = PollAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data["answers"]
        positions = {question.position for question in poll.questions.all()}
        unknown = sorted(set(given) - positions)
        if unknown:
            raise ValidationError({"answers": [
                _("This poll has no question %(number)s.") % {"number": unknown[0]}]})
        try:
            services.answer(poll=poll, member=member, answers=given)
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_detail(request, _reloaded(poll)), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class PollClose(generics.GenericAPIView[Poll]):
    """Its author or a facilitator of its chapter closes an open poll or survey now:
    it takes no more answers, and everyone who sees it sees its results."""

    permission_classes = [IsAuthenticated]
    serializer_class = PollDetailSerializer

    @extend_schema(request=None, responses={200: PollDetailSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        poll = access_poll_by_id(request, public_id, "polls.close",
                                 denied=_("Only its author and the chapter's facilitators "
                                          "close it, while it is open."))
        try:
            services.close_poll(poll=poll, member=member_required(request))
        except Refused as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_detail(request, _reloaded(poll)))


_one = "polls/<uuid:public_id>/"
urlpatterns = [
    path("polls/", PollList.as_view(), name="poll-list"),
    path("surveys/", SurveyCreate.as_view(), name="survey-create"),
    path(_one, PollDetail.as_view(), name="poll-detail"),
    path(_one + "answer/", PollAnswer.as_view(), name="poll-answer"),
    path(_one + "close/", PollClose.as_view(), name="poll-close"),
]
