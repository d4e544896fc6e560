"""The serializers of the decisions API (decisions.api): what proposals, amendments,
ballots and decisions look like in JSON, and what the endpoints accept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.reverse import reverse

from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer
from chapterhouse.members.models import Member

from . import selectors, services
from .models import Amendment, Decision, Proposal, Roll

Status = Proposal.Status


class MemberRefSerializer(serializers.Serializer[Member]):
    public_id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)


# Serializer[Any] where a serializer also takes lists (many=True): the stubs type a
# plain Serializer's instance as one object.
class OptionSerializer(serializers.Serializer[Any]):
    # DRF takes declared fields off the class: "label" and "source" shadow nothing.
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    text = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
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


class AffectedGroupOutSerializer(serializers.Serializer[dict[str, Any]]):
    chapter = serializers.CharField(read_only=True, help_text=gettext_lazy("url_path"))
    name = serializers.CharField(read_only=True)
    weight = serializers.FloatField(read_only=True)
    reason = serializers.CharField(read_only=True)
    members = serializers.IntegerField(read_only=True)


class StakeSerializer(serializers.Serializer[Any]):
    member = MemberRefSerializer(read_only=True)
    weight = serializers.FloatField(read_only=True)
    reason = serializers.CharField(read_only=True)


class RollSerializer(serializers.Serializer[Roll]):
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

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
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


class AmendmentSerializer(serializers.ModelSerializer[Amendment]):
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


class BallotResultSerializer(serializers.Serializer[dict[str, Any]]):
    ballot = serializers.DictField(read_only=True)
    weight = serializers.FloatField(read_only=True)
    changed = serializers.BooleanField(read_only=True)
    secret = serializers.BooleanField(read_only=True)
    receipt = serializers.CharField(
        read_only=True, allow_null=True,
        help_text=gettext_lazy("A secret ballot's receipt code: returned once, kept nowhere."))


class DecisionSerializer(serializers.ModelSerializer[Decision]):
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


class DissentSerializer(serializers.Serializer[Any]):
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


