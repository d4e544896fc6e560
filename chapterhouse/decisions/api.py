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

import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
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
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from chapterhouse import voting
from chapterhouse.chapters.api import ChapterRefSerializer, get_chapter_by_api_lookup
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.interface import viewer_of
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer
from chapterhouse.members.rules import member_of

from . import selectors, services
from .models import Amendment, Decision, Proposal
from .services import DecisionError, GroupInput

Status = Proposal.Status
TAG_PROPOSALS = ["decisions"]


def _viewer(request: Request) -> Any:
    return member_of(request.user)


def _refusal(error: DecisionError) -> ValidationError:
    return ValidationError({"non_field_errors": [error.message]})


def _require(request: Request, permission: str, obj: Any, message: str) -> None:
    if not viewer_of(request).can(permission, obj):
        raise PermissionDenied(message)


def _proposal_or_404(request: Request, public_id: uuid.UUID) -> Proposal:
    proposal = selectors.get_proposal_for(public_id, _viewer(request))
    if proposal is None:
        raise Http404
    return proposal


def _chapter_or_400(lookup: str, field: str = "chapter") -> Chapter:
    try:
        return get_chapter_by_api_lookup(lookup)
    except Http404:
        raise ValidationError({field: [_("There is no such chapter.")]}) from None


# -- Serializers --------------------------------------------------------------------------


class MemberRefSerializer(serializers.Serializer):
    public_id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class OptionSerializer(serializers.Serializer):
    # DRF takes declared fields off the class: "label" and "source" shadow nothing.
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    text = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]


class ProposalSerializer(serializers.ModelSerializer):
    chapter = ChapterRefSerializer(read_only=True)
    author = MemberRefSerializer(read_only=True, allow_null=True)
    secret = serializers.SerializerMethodField(
        help_text=gettext_lazy("Whether the ballot is secret (known once voting opened)."))
    web_url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "public_id", "title", "status", "category", "chapter", "author", "created_at",
            "published_at", "amendments_close_at", "voting_opens_at", "voting_closes_at",
            "closed_at", "secret", "web_url", "api_url",
        ]
        read_only_fields = fields

    def get_secret(self, proposal: Proposal) -> bool:
        return proposal.is_secret

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, proposal: Proposal) -> str:
        request = self.context.get("request")
        url = proposal.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, proposal: Proposal) -> str:
        return reverse("proposal-detail", kwargs={"public_id": proposal.public_id},
                       request=self.context.get("request"))


class AffectedGroupOutSerializer(serializers.Serializer):
    chapter = serializers.CharField(read_only=True, help_text=gettext_lazy("url_path"))
    name = serializers.CharField(read_only=True)
    weight = serializers.FloatField(read_only=True)
    reason = serializers.CharField(read_only=True)
    members = serializers.IntegerField(read_only=True)


class StakeSerializer(serializers.Serializer):
    member = MemberRefSerializer(read_only=True)
    weight = serializers.FloatField(read_only=True)
    reason = serializers.CharField(read_only=True)


class RollSerializer(serializers.Serializer):
    hash = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    total_weight = serializers.FloatField(read_only=True)
    frozen_at = serializers.DateTimeField(read_only=True)


class ProposalDetailSerializer(ProposalSerializer):
    text_html = serializers.SerializerMethodField()
    method = serializers.SerializerMethodField(
        help_text=gettext_lazy("The voting method it is (or will be) decided by."))
    rule = serializers.SerializerMethodField(
        help_text=gettext_lazy("The rule frozen when voting opened, or the rule in force."))
    options = serializers.SerializerMethodField()
    affected_groups = serializers.SerializerMethodField(
        help_text=gettext_lazy("Who is affected with what weight: the scope at weight 1 "
                               "unless a group says otherwise."))
    stakes = serializers.SerializerMethodField()
    roll = serializers.SerializerMethodField()
    decision_url = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = [
            *ProposalSerializer.Meta.fields, "text", "text_html", "payload", "method", "rule",
            "options", "affected_groups", "stakes", "roll", "decision_url",
        ]
        read_only_fields = fields

    def get_text_html(self, proposal: Proposal) -> str:
        return str(render_markdown(proposal.text))

    def get_method(self, proposal: Proposal) -> str:
        return selectors.method_for(proposal)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_rule(self, proposal: Proposal) -> dict[str, Any] | None:
        if proposal.rule_snapshot:
            return dict(proposal.rule_snapshot)
        rule = selectors.effective_rule(proposal.chapter, proposal.category)
        return rule.snapshot() if rule is not None else None

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, proposal: Proposal) -> Any:
        return OptionSerializer(selectors.options(proposal), many=True).data

    @extend_schema_field(AffectedGroupOutSerializer(many=True))
    def get_affected_groups(self, proposal: Proposal) -> list[dict[str, Any]]:
        return [
            {"chapter": row.chapter.url_path, "name": row.chapter.display_name(),
             "weight": row.weight, "reason": row.reason, "members": row.members}
            for row in selectors.affectedness(proposal)
        ]

    @extend_schema_field(StakeSerializer(many=True))
    def get_stakes(self, proposal: Proposal) -> Any:
        return StakeSerializer(selectors.stakes(proposal), many=True).data

    @extend_schema_field(RollSerializer(allow_null=True))
    def get_roll(self, proposal: Proposal) -> Any:
        roll = getattr(proposal, "roll", None) if proposal.rule_snapshot else None
        return RollSerializer(roll).data if roll is not None else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_decision_url(self, proposal: Proposal) -> str | None:
        if proposal.status != Status.CLOSED:
            return None
        return reverse("decision-detail", kwargs={"public_id": proposal.public_id},
                       request=self.context.get("request"))


class GroupInputSerializer(StrictSerializer):
    chapter = serializers.CharField(
        max_length=400, help_text=gettext_lazy("The sub-chapter's url_path (inside the scope)."))
    weight = serializers.FloatField(min_value=0, max_value=10)
    reason = serializers.CharField(max_length=300)


class ProposalCreateSerializer(StrictSerializer):
    chapter = serializers.CharField(
        max_length=400,
        help_text=gettext_lazy("The scope's url_path, or `international`. You must belong to it."))
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=50_000)
    category = serializers.CharField(max_length=40)
    options = serializers.ListField(
        child=serializers.JSONField(), required=False, max_length=services.MAX_OPTIONS,
        help_text=gettext_lazy("For multi-option methods: labels, or {label, text} objects. "
                               "None for yes/no methods."))
    payload = serializers.DictField(
        required=False,
        help_text=gettext_lazy("For “rules”: {category, method, params, …}; for “roles”: "
                               "{action: grant|revoke, member: public_id}."))
    affected_groups = GroupInputSerializer(many=True, required=False)

    def validate_options(self, value: list[Any]) -> list[Any]:
        for option in value:
            if isinstance(option, str):
                continue
            if not isinstance(option, Mapping) or not set(option) <= {"label", "text"} \
                    or not isinstance(option.get("label"), str) \
                    or not isinstance(option.get("text", ""), str):
                raise ValidationError(
                    _("Each option is a label, or an object with a label and a text."))
        return value


class PublishSerializer(StrictSerializer):
    """Publishing takes no fields."""


class AmendmentSerializer(serializers.ModelSerializer):
    author = MemberRefSerializer(read_only=True, allow_null=True)
    option_key = serializers.CharField(read_only=True)
    # A plain string (not an enum) in the schema: "status" is the proposal's enum there.
    status = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy("open, accepted, competing (an option on the ballot) or "
                               "withdrawn."))

    class Meta:
        model = Amendment
        fields = ["number", "kind", "label", "text", "status", "author", "option_key",
                  "created_at", "decided_at"]
        read_only_fields = fields


class AmendmentCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Amendment.Kind.choices)
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, allow_blank=True)
    text = serializers.CharField(max_length=50_000)


class BallotInputSerializer(StrictSerializer):
    ballot = serializers.DictField(
        help_text=gettext_lazy(
            "As the method expects: {choice} (majority, supermajority), {choice, reason} "
            "(consent, consensus), {option} (plurality), {approve: [keys]}, "
            "{scores: {key: 0..5}}, {ranking: [keys]} (schulze, irv)."))
    receipt = serializers.CharField(
        max_length=100, required=False, allow_blank=True,
        help_text=gettext_lazy("To change a secret ballot: the receipt code you were given."))


class BallotResultSerializer(serializers.Serializer):
    ballot = serializers.DictField(read_only=True)
    weight = serializers.FloatField(read_only=True)
    changed = serializers.BooleanField(read_only=True)
    secret = serializers.BooleanField(read_only=True)
    receipt = serializers.CharField(
        read_only=True, allow_null=True,
        help_text=gettext_lazy("A secret ballot's receipt code: returned once, kept nowhere."))


class DecisionSerializer(serializers.ModelSerializer):
    proposal = serializers.UUIDField(source="proposal.public_id", read_only=True)
    chapter = ChapterRefSerializer(read_only=True)
    voters = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "sequence", "proposal", "title", "category", "chapter", "scope_path", "outcome",
            "winners", "voters", "decided_at", "record_hash", "previous_hash", "web_url",
            "api_url",
        ]
        read_only_fields = fields

    def get_voters(self, decision: Decision) -> int:
        return int((decision.turnout or {}).get("voters", 0))

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, decision: Decision) -> str:
        request = self.context.get("request")
        url = reverse("decisions:record", kwargs={"public_id": decision.proposal.public_id})
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, decision: Decision) -> str:
        return reverse("decision-detail", kwargs={"public_id": decision.proposal.public_id},
                       request=self.context.get("request"))


class DissentSerializer(serializers.Serializer):
    member = MemberRefSerializer(read_only=True)
    text = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class DecisionDetailSerializer(DecisionSerializer):
    dissents = serializers.SerializerMethodField()
    ballot_file_url = serializers.SerializerMethodField()

    class Meta(DecisionSerializer.Meta):
        fields = [
            *DecisionSerializer.Meta.fields, "text", "options", "result", "rule", "roll",
            "turnout", "breakdown", "effect", "dissents", "ballot_file_url",
        ]
        read_only_fields = fields

    @extend_schema_field(DissentSerializer(many=True))
    def get_dissents(self, decision: Decision) -> Any:
        return DissentSerializer(selectors.dissents(decision), many=True).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_ballot_file_url(self, decision: Decision) -> str:
        return reverse("decision-ballots", kwargs={"public_id": decision.proposal.public_id},
                       request=self.context.get("request"))


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
class ProposalList(generics.ListCreateAPIView):
    """Published proposals (and your own drafts), newest first. POST creates a draft
    in a chapter you belong to: private to you until you publish it."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ProposalCreateSerializer if self.request.method == "POST" else ProposalSerializer

    def get_queryset(self) -> QuerySet[Proposal]:
        rows = selectors.proposals_visible_to(_viewer(self.request)).select_related(
            "chapter", "author")
        params = self.request.query_params
        if "chapter" in params:
            rows = rows.filter(chapter=_chapter_or_400(params["chapter"]))
        if params.get("status"):
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
        _require(request, "decisions.create_proposal", chapter,
                 _("Only members of %(chapter)s can make a proposal there.")
                 % {"chapter": chapter.display_name()})
        groups = [
            GroupInput(chapter=_chapter_or_400(g["chapter"], "affected_groups"),
                       weight=g["weight"], reason=g["reason"])
            for g in data.get("affected_groups", [])
        ]
        viewer = _viewer(request)
        try:
            with transaction.atomic():
                proposal = services.create_draft(
                    chapter=chapter, author=viewer, title=data["title"], text=data["text"],
                    category=data["category"], options=data.get("options", []),
                    payload=data.get("payload"),
                )
                if groups:
                    services.set_affected_groups(proposal=proposal, actor=viewer,
                                                 groups=groups)
        except DecisionError as error:
            raise _refusal(error) from None
        body = ProposalDetailSerializer(proposal, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG_PROPOSALS)
class ProposalDetail(generics.RetrieveAPIView):
    """One proposal with its text, options, affectedness and roll. A draft is visible
    to its author only (404 to anyone else)."""

    serializer_class = ProposalDetailSerializer

    def get_object(self) -> Proposal:
        return _proposal_or_404(self.request, self.kwargs["public_id"])


@extend_schema(tags=TAG_PROPOSALS, request=PublishSerializer,
               responses={200: ProposalDetailSerializer})
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def publish(request: Request, public_id: uuid.UUID) -> Response:
    """Publish your draft: deliberation starts and the periods are set by the rule."""
    proposal = _proposal_or_404(request, public_id)
    PublishSerializer(data=request.data).is_valid(raise_exception=True)
    _require(request, "decisions.publish_proposal", proposal,
             _("Only the author can publish a draft."))
    try:
        proposal = services.publish(proposal=proposal, actor=_viewer(request))
    except DecisionError as error:
        raise _refusal(error) from None
    return Response(ProposalDetailSerializer(proposal, context={"request": request}).data)


# -- Amendments ---------------------------------------------------------------------------


@extend_schema(tags=TAG_PROPOSALS)
class AmendmentList(generics.ListCreateAPIView):
    """A proposal's amendments. POST proposes one (affected members, during the
    amendment period)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = None

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return AmendmentCreateSerializer if self.request.method == "POST" \
            else AmendmentSerializer

    def get_queryset(self) -> QuerySet[Amendment]:
        return selectors.amendments(_proposal_or_404(self.request, self.kwargs["public_id"]))

    @extend_schema(request=AmendmentCreateSerializer, responses={201: AmendmentSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        proposal = _proposal_or_404(request, self.kwargs["public_id"])
        serializer = AmendmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _require(request, "decisions.amend", proposal,
                 _("Only members affected by this proposal can amend it, during the amendment "
                   "period."))
        data = serializer.validated_data
        try:
            amendment = services.propose_amendment(
                proposal=proposal, author=_viewer(request), kind=data["kind"],
                text=data["text"], label=data.get("label", ""),
            )
        except DecisionError as error:
            raise _refusal(error) from None
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG_PROPOSALS, request=PublishSerializer,
               responses={200: AmendmentSerializer})
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def accept_amendment(request: Request, public_id: uuid.UUID, number: int) -> Response:
    """The proposal's author accepts an open amendment (into the text, or as an option)."""
    proposal = _proposal_or_404(request, public_id)
    amendment = proposal.amendments.select_related("author").filter(number=number).first()
    if amendment is None:
        raise Http404
    amendment.proposal = proposal
    PublishSerializer(data=request.data).is_valid(raise_exception=True)
    _require(request, "decisions.accept_amendment", amendment,
             _("Only the author of the proposal can accept an open amendment, before voting "
               "opens."))
    try:
        amendment = services.accept_amendment(amendment=amendment, actor=_viewer(request))
    except DecisionError as error:
        raise _refusal(error) from None
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
    proposal = _proposal_or_404(request, public_id)
    viewer = _viewer(request)
    if viewer is None:
        raise PermissionDenied(_("Only members can vote."))
    if request.method == "GET":
        entry = selectors.weight_of(proposal, viewer) if proposal.rule_snapshot else None
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
    if not proposal.voting_open():
        message = _("Voting on this proposal has not opened yet.") if proposal.status in (
            Status.DRAFT, Status.DELIBERATION) else _("Voting on this proposal has closed.")
        raise ValidationError({"non_field_errors": [message]})
    _require(request, "decisions.cast_ballot", proposal,
             _("You are not on the roll of this vote. The roll was frozen when voting opened, "
               "with the members affected at that moment."))
    data = serializer.validated_data
    try:
        result = services.cast_ballot(proposal=proposal, member=viewer, ballot=data["ballot"],
                                      receipt=data.get("receipt") or None)
    except DecisionError as error:
        raise _refusal(error) from None
    body = {"ballot": result.ballot, "weight": result.weight, "changed": result.changed,
            "secret": result.secret, "receipt": result.receipt}
    return Response(body, status=status.HTTP_200_OK if result.changed else
                    status.HTTP_201_CREATED)


# -- Decisions ------------------------------------------------------------------------------


def _date(value: str, field: str) -> datetime:
    try:
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
class DecisionList(generics.ListAPIView):
    """The decision log of every chapter, newest first."""

    serializer_class = DecisionSerializer

    def get_queryset(self) -> QuerySet[Decision]:
        params = self.request.query_params
        chapter = _chapter_or_400(params["chapter"]) if "chapter" in params else None
        outcome = params.get("outcome") or None
        if outcome is not None and outcome not in Decision.Outcome.values:
            raise ValidationError({"outcome": [_("Unknown outcome.")]})
        since = _date(params["since"], "since") if params.get("since") else None
        until = _date(params["until"], "until") + timedelta(days=1) \
            if params.get("until") else None
        return selectors.decisions(
            chapter=chapter,
            include_subchapters=params.get("subchapters", "").lower() in ("1", "true", "yes"),
            category=params.get("category") or None, outcome=outcome, since=since, until=until,
        )


def _decision_or_404(request: Request, public_id: Any = None,
                     sequence: int | None = None) -> Decision:
    rows = Decision.objects.select_related("proposal", "chapter")
    decision = (rows.filter(sequence=sequence) if sequence is not None
                else rows.filter(proposal__public_id=public_id)).first()
    if decision is None or not viewer_of(request).can("decisions.view_decision", decision):
        raise Http404
    return decision


@extend_schema(tags=TAG_PROPOSALS)
class DecisionDetail(generics.RetrieveAPIView):
    """One decision record: text, options, rule, roll, turnout, the full tally
    explanation, the breakdown by sub-chapter, dissent, and its place in the hash chain."""

    serializer_class = DecisionDetailSerializer

    def get_object(self) -> Decision:
        return _decision_or_404(self.request, self.kwargs.get("public_id"),
                                self.kwargs.get("sequence"))


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
    decision = _decision_or_404(request, public_id)
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

