"""Proposals, amendments, ballots and decisions over the REST API (v1).

The same rules as the web: a draft is its author's alone (404 to anyone else), a
published proposal and every decision record are public; writing needs a token or
a session, and the decisions.* rules (403 with the reason when visible but not
allowed). Requests with fields an endpoint does not take are refused (400), and a
refusal by a service (window closed, ballot malformed…) is a 400 with its message;
nothing is stored either way.

    GET  /api/v1/proposals/                     ?chapter= &status= &category=
    POST /api/v1/proposals/                     create a draft
    GET  /api/v1/proposals/<id>/
    POST /api/v1/proposals/<id>/publish/
    GET  /api/v1/proposals/<id>/amendments/
    POST /api/v1/proposals/<id>/amendments/
    POST /api/v1/proposals/<id>/amendments/<n>/accept/
    GET  /api/v1/proposals/<id>/ballot/         your ballot (open) or whether you voted
    POST /api/v1/proposals/<id>/ballot/         cast or change it
    GET  /api/v1/decisions/                     ?chapter= &subchapters= &category= &outcome=
                                                &since= &until=
    GET  /api/v1/decisions/<id>/  and  /api/v1/decisions/<sequence>/
    GET  /api/v1/decisions/<id>/ballots/        the ballot file, for recounting
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse import voting
from chapterhouse.chapters.api import get_chapter_by_api_lookup
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.interface import api_refusal, member_required, require, viewer_of

from . import selectors, services
from .access import access_amendment, access_decision, access_proposal, ballot_refusal
from .models import Amendment, Decision, Proposal
from .serializers import (
    AmendmentCreateSerializer,
    AmendmentSerializer,
    BallotInputSerializer,
    BallotResultSerializer,
    DecisionDetailSerializer,
    DecisionSerializer,
    ProposalCreateSerializer,
    ProposalDetailSerializer,
    ProposalSerializer,
    PublishSerializer,
)
from .services import DecisionError, GroupInput

Status = Proposal.Status
TAG_PROPOSALS = ["decisions"]




def _chapter_or_400(lookup: str, field: str = "chapter") -> Chapter:
    try:
        return get_chapter_by_api_lookup(lookup)
    except Http404:
        raise ValidationError({field: [_("There is no such chapter.")]}) from None


# -- Proposals ----------------------------------------------------------------------------


@extend_schema(
    tags=TAG_PROPOSALS,
    parameters=[
        OpenApiParameter("chapter", str, description=gettext_lazy(
            "Only proposals scoped to the chapter with this url_path (`international`).")),
        OpenApiParameter("status", str, enum=Status.values),
        OpenApiParameter("category", str),
    ],
)
class ProposalList(generics.ListCreateAPIView[Proposal]):
    """Published proposals (and your own drafts), newest first. POST creates a draft
    in a chapter you belong to: private to you until you publish it."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Proposal]]:
        return ProposalCreateSerializer if self.request.method == "POST" else ProposalSerializer

    def get_queryset(self) -> QuerySet[Proposal]:
        rows = selectors.proposals_visible_to(viewer_of(self.request).member).select_related(
            "chapter", "author")
        params = self.request.query_params
        if "chapter" in params:
            rows = rows.filter(chapter=_chapter_or_400(params["chapter"]))
        if "status" in params:
            if params["status"] not in Status.values:
                raise ValidationError({"status": [_("Unknown status.")]})
            rows = rows.filter(status=params["status"])
        if params.get("category"):
            rows = rows.filter(category=params["category"])
        return rows.order_by("-created_at", "-id")

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chapter = _chapter_or_400(data["chapter"])
        require(request, "decisions.create_proposal", chapter,
                _("Only members of %(chapter)s can make a proposal there.")
                % {"chapter": chapter.display_name()})
        groups = [
            GroupInput(chapter=_chapter_or_400(g["chapter"], "affected_groups"),
                       weight=g["weight"], reason=g["reason"])
            for g in data.get("affected_groups", [])
        ]
        try:
            proposal = services.save_draft(
                chapter=chapter, author=member_required(request), title=data["title"],
                text=data["text"], category=data["category"], options=data.get("options", []),
                payload=data.get("payload"), groups=groups,
            )
        except DecisionError as error:
            raise api_refusal(error) from None
        body = ProposalDetailSerializer(proposal, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG_PROPOSALS)
class ProposalDetail(generics.RetrieveAPIView[Proposal]):
    """One proposal with its text, options, affectedness and roll. A draft is visible
    to its author only (404 to anyone else)."""

    serializer_class = ProposalDetailSerializer

    def get_object(self) -> Proposal:
        return access_proposal(self.request, self.kwargs["public_id"])


@extend_schema(tags=TAG_PROPOSALS, request=PublishSerializer,
               responses={200: ProposalDetailSerializer})
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def publish(request: Request, public_id: uuid.UUID) -> Response:
    """Publish your draft: deliberation starts and the periods are set by the rule."""
    proposal = access_proposal(request, public_id)
    PublishSerializer(data=request.data).is_valid(raise_exception=True)
    require(request, "decisions.publish_proposal", proposal,
            _("Only the author can publish a draft."))
    try:
        proposal = services.publish(proposal=proposal, actor=member_required(request))
    except DecisionError as error:
        raise api_refusal(error) from None
    return Response(ProposalDetailSerializer(proposal, context={"request": request}).data)


# -- Amendments ---------------------------------------------------------------------------


@extend_schema(tags=TAG_PROPOSALS)
class AmendmentList(generics.ListCreateAPIView[Amendment]):
    """A proposal's amendments. POST proposes one (affected members, during the
    amendment period)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = None

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Amendment]]:
        return AmendmentCreateSerializer if self.request.method == "POST" \
            else AmendmentSerializer

    def get_queryset(self) -> QuerySet[Amendment]:
        return selectors.amendments(access_proposal(self.request, self.kwargs["public_id"]))

    @extend_schema(request=AmendmentCreateSerializer, responses={201: AmendmentSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        proposal = access_proposal(request, self.kwargs["public_id"])
        serializer = AmendmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        require(request, "decisions.amend", proposal,
                _("Only members affected by this proposal can amend it, during the amendment "
                  "period."))
        data = serializer.validated_data
        try:
            amendment = services.propose_amendment(
                proposal=proposal, author=member_required(request), kind=data["kind"],
                text=data["text"], label=data.get("label", ""),
            )
        except DecisionError as error:
            raise api_refusal(error) from None
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG_PROPOSALS, request=PublishSerializer,
               responses={200: AmendmentSerializer})
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def accept_amendment(request: Request, public_id: uuid.UUID, number: int) -> Response:
    """The proposal's author accepts an open amendment (into the text, or as an option)."""
    proposal = access_proposal(request, public_id)
    amendment = access_amendment(request, proposal, number)
    PublishSerializer(data=request.data).is_valid(raise_exception=True)
    require(request, "decisions.accept_amendment", amendment,
            _("Only the author of the proposal can accept an open amendment, before voting "
              "opens."))
    try:
        amendment = services.accept_amendment(amendment=amendment,
                                              actor=member_required(request))
    except DecisionError as error:
        raise api_refusal(error) from None
    return Response(AmendmentSerializer(amendment).data)


# -- Ballots --------------------------------------------------------------------------------


@extend_schema(
    tags=TAG_PROPOSALS, methods=["GET"],
    responses=inline_serializer("OwnBallot", {
        "on_roll": serializers.BooleanField(),
        "weight": serializers.FloatField(allow_null=True),
        "voted": serializers.BooleanField(),
        "secret": serializers.BooleanField(),
        "ballot": serializers.DictField(allow_null=True, help_text=gettext_lazy(
            "Your open ballot; never a secret one.")),
        "voting_open": serializers.BooleanField(),
    }),
)
@extend_schema(
    tags=TAG_PROPOSALS, methods=["POST"], request=BallotInputSerializer,
    responses={201: BallotResultSerializer, 200: BallotResultSerializer,
               400: OpenApiResponse(description=gettext_lazy(
                   "Malformed ballot, unknown fields, or voting not open.")),
               403: OpenApiResponse(description=gettext_lazy("Not on the roll."))},
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def ballot(request: Request, public_id: uuid.UUID) -> Response:
    """GET: whether you are on the roll and have voted (and your open ballot).
    POST: cast your ballot, or change it until voting closes (201 first, 200 after)."""
    proposal = access_proposal(request, public_id)
    viewer = viewer_of(request).member
    if viewer is None:
        raise PermissionDenied(_("Only members can vote."))
    if request.method == "GET":
        entry = selectors.weight_for(viewer_of(request), proposal) if proposal.rule_snapshot \
            else None
        return Response({
            "on_roll": entry is not None,
            "weight": entry[0] if entry else None,
            "voted": selectors.has_voted(proposal, viewer) if proposal.rule_snapshot else False,
            "secret": proposal.is_secret,
            "ballot": selectors.own_ballot(proposal, viewer) if proposal.rule_snapshot
            else None,
            "voting_open": proposal.voting_open(),
        })
    serializer = BallotInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    refusal = ballot_refusal(request, proposal)  # 403 when not on the roll
    if refusal is not None:
        raise api_refusal(refusal)
    data = serializer.validated_data
    try:
        result = services.cast_ballot(proposal=proposal, member=viewer, ballot=data["ballot"],
                                      receipt=data.get("receipt") or None)
    except DecisionError as error:
        raise api_refusal(error) from None
    body = {"ballot": result.ballot, "weight": result.weight, "changed": result.changed,
            "secret": result.secret, "receipt": result.receipt}
    return Response(body, status=status.HTTP_200_OK if result.changed else
                    status.HTTP_201_CREATED)


# -- Decisions ------------------------------------------------------------------------------


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: str, field: str) -> datetime:
    try:
        if not _DAY.fullmatch(value):  # a date, as the schema says: not a time, not 20250101
            raise ValueError(value)
        day = datetime.fromisoformat(value).date()
    except ValueError:
        raise ValidationError({field: [_("Give a date as YYYY-MM-DD.")]}) from None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@extend_schema(
    tags=TAG_PROPOSALS,
    parameters=[
        OpenApiParameter("chapter", str, description=gettext_lazy(
            "Decisions of the chapter with this url_path (`international`).")),
        OpenApiParameter("subchapters", bool, description=gettext_lazy(
            "With `chapter`: its sub-chapters' decisions too.")),
        OpenApiParameter("category", str),
        OpenApiParameter("outcome", str, enum=Decision.Outcome.values),
        OpenApiParameter("since", OpenApiTypes.DATE),
        OpenApiParameter("until", OpenApiTypes.DATE, description=gettext_lazy("Inclusive.")),
    ],
)
class DecisionList(generics.ListAPIView[Decision]):
    """The decision log of every chapter, newest first."""

    serializer_class = DecisionSerializer

    def get_queryset(self) -> QuerySet[Decision]:
        params = self.request.query_params
        chapter = _chapter_or_400(params["chapter"]) if "chapter" in params else None
        subchapters = params.get("subchapters", "false").lower()
        if subchapters not in ("1", "true", "yes", "0", "false", "no"):
            raise ValidationError({"subchapters": [_("Give true or false.")]})
        outcome = params.get("outcome")
        if outcome is not None and outcome not in Decision.Outcome.values:
            raise ValidationError({"outcome": [_("Unknown outcome.")]})
        since = _date(params["since"], "since") if "since" in params else None
        until = _date(params["until"], "until") + timedelta(days=1) \
            if "until" in params else None
        return selectors.decisions(
            chapter=chapter,
            include_subchapters=subchapters in ("1", "true", "yes"),
            category=params.get("category") or None, outcome=outcome, since=since, until=until,
        )


@extend_schema(tags=TAG_PROPOSALS)
class DecisionDetail(generics.RetrieveAPIView[Decision]):
    """One decision record: text, options, rule, roll, turnout, the full tally
    explanation, the breakdown by sub-chapter, dissent, and its place in the hash chain."""

    serializer_class = DecisionDetailSerializer

    def get_object(self) -> Decision:
        return access_decision(self.request, self.kwargs.get("public_id"),
                               sequence=self.kwargs.get("sequence"))


class DecisionBySequence(DecisionDetail):
    """One decision record, addressed by its number in the chain."""

    @extend_schema(operation_id="v1_decisions_by_sequence_retrieve")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG_PROPOSALS,
               responses={(200, "application/json"): OpenApiTypes.OBJECT},
               description=str(gettext_lazy(
                   "The ballot file (format chapterhouse-ballots/1): recount it with "
                   "`python -m chapterhouse.voting recount FILE`.")))
@api_view(["GET"])
def ballot_file(request: Request, public_id: uuid.UUID) -> HttpResponse:
    decision = access_decision(request, public_id)
    data = selectors.ballot_file(decision.proposal)
    return HttpResponse(voting.ballot_file_json(data),
                        content_type="application/json; charset=utf-8")


urlpatterns = [
    path("proposals/", ProposalList.as_view(), name="proposal-list"),
    path("proposals/<uuid:public_id>/", ProposalDetail.as_view(), name="proposal-detail"),
    path("proposals/<uuid:public_id>/publish/", publish, name="proposal-publish"),
    path("proposals/<uuid:public_id>/amendments/", AmendmentList.as_view(),
         name="amendment-list"),
    path("proposals/<uuid:public_id>/amendments/<int:number>/accept/", accept_amendment,
         name="amendment-accept"),
    path("proposals/<uuid:public_id>/ballot/", ballot, name="proposal-ballot"),
    path("decisions/", DecisionList.as_view(), name="decision-list"),
    path("decisions/<int:sequence>/", DecisionBySequence.as_view(), name="decision-by-sequence"),
    path("decisions/<uuid:public_id>/", DecisionDetail.as_view(), name="decision-detail"),
    path("decisions/<uuid:public_id>/ballots/", ballot_file, name="decision-ballots"),
]

