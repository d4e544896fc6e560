"""What the moderation API shows and takes: a report, the queue's reported things, a
decision and its outcome, an appeal, and the public log (never the content)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.lib import reportables
from chapterhouse.members.api import StrictSerializer

from .models import REASON_MAX_LENGTH, Action, Appeal, Hidden, Report

CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")
DECISIONS = ["hide", "restore", "dismiss"]
APPEAL_DECISIONS = ["restore", "uphold"]


class ContentSerializer(StrictSerializer):
    """A piece of content, named by its kind and its id."""

    # The kinds are registered by the apps as they load (lib.reportables): read when the
    # API's URLs are, after every app is ready.
    content = serializers.ChoiceField(choices=reportables.labels(), help_text=gettext_lazy(
        "Its kind: app label and model, as `discussions.post`."))
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ReportRequestSerializer(ContentSerializer):
    # The length is the service's to check (with its own message).
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH + 1000, help_text=gettext_lazy(
        "Only the facilitators read it. Reporting the same thing again changes your "
        "reason: it counts once."))


class DecisionRequestSerializer(ContentSerializer):
    decision = serializers.ChoiceField(choices=DECISIONS)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH + 1000, help_text=gettext_lazy(
        "Shown in place of hidden content, told to its author and in the chapter's "
        "public moderation log."))


class AppealRequestSerializer(ContentSerializer):
    text = serializers.CharField(max_length=REASON_MAX_LENGTH + 1000, help_text=gettext_lazy(
        "Why it should be shown again. The facilitators of the chapter above decide; "
        "you appeal once."))


class ReportSerializer(serializers.ModelSerializer[Report]):
    """Your open report of a piece of content."""

    content = serializers.SerializerMethodField()
    id = serializers.IntegerField(source="object_id", read_only=True)

    class Meta:
        model = Report
        fields = ["content", "id", "reason", "created_at", "updated_at"]
        read_only_fields = fields

    def get_content(self, report: Report) -> str:
        return str(self.context["label"])


class QueueItemSerializer(serializers.Serializer[Any]):
    """A reported thing waiting for a decision: its kind, an excerpt, where it is, how
    many members reported it and (some of) their reasons."""

    content = serializers.CharField(source="label", read_only=True)
    id = serializers.IntegerField(source="object_id", read_only=True)
    noun = serializers.CharField(read_only=True)
    excerpt = serializers.CharField(read_only=True)
    web_url = serializers.CharField(source="url", read_only=True)
    chapter = ChapterRefSerializer(read_only=True, allow_null=True)
    reports = serializers.IntegerField(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    first_reported_at = serializers.DateTimeField(source="first_at", read_only=True)
    escalated = serializers.BooleanField(read_only=True, help_text=gettext_lazy(
        "Reported in a chapter below, and it waited there longer than that chapter's "
        "time."))


class HiddenSerializer(serializers.ModelSerializer[Hidden]):
    """A hiding: the reason shown in place of the content."""

    class Meta:
        model = Hidden
        fields = ["reason", "hidden_at", "restored_at"]
        read_only_fields = fields


class DecisionResultSerializer(serializers.Serializer[Any]):
    """The decision taken: `hiding` for hide and restore, `dismissed` (how many reports
    were closed) for dismiss."""

    content = serializers.CharField(read_only=True)
    id = serializers.IntegerField(read_only=True)
    decision = serializers.ChoiceField(choices=DECISIONS, read_only=True)
    hiding = HiddenSerializer(read_only=True, allow_null=True)
    dismissed = serializers.IntegerField(read_only=True, allow_null=True)


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    """An appeal of a hiding, to the facilitators of the chapter above."""

    chapter = ChapterRefSerializer(read_only=True, allow_null=True, help_text=gettext_lazy(
        "The chapter whose facilitators decide it (null: the site's staff)."))
    outcome = serializers.SerializerMethodField(help_text=gettext_lazy(
        "Null until it is decided."))

    class Meta:
        model = Appeal
        fields = ["text", "created_at", "chapter", "outcome", "decided_at",
                  "decision_reason"]
        read_only_fields = fields

    # The column is blank until decided: null here, never a value outside the choices.
    @extend_schema_field(serializers.ChoiceField(choices=Appeal.Outcome.choices,
                                                 allow_null=True))
    def get_outcome(self, appeal: Appeal) -> str | None:
        return appeal.outcome or None


class AppealDecisionRequestSerializer(ContentSerializer):
    decision = serializers.ChoiceField(choices=APPEAL_DECISIONS, help_text=gettext_lazy(
        "`restore` shows the content again; `uphold` keeps it hidden."))
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH + 1000, help_text=gettext_lazy(
        "Told to the author and in the public log."))


class AppealItemSerializer(serializers.Serializer[Any]):
    """An appeal waiting for the chapter's facilitators: the hidden content (an
    excerpt, for them), why it was hidden, and why its author appeals."""

    content = serializers.CharField(source="label", read_only=True)
    id = serializers.IntegerField(source="object_id", read_only=True)
    noun = serializers.CharField(read_only=True)
    excerpt = serializers.CharField(read_only=True)
    web_url = serializers.CharField(source="url", read_only=True)
    chapter = ChapterRefSerializer(read_only=True, allow_null=True, help_text=gettext_lazy(
        "The content's chapter (the one below)."))
    hidden_reason = serializers.CharField(source="appeal.hidden.reason", read_only=True)
    text = serializers.CharField(source="appeal.text", read_only=True)
    appealed_at = serializers.DateTimeField(source="first_at", read_only=True)


class ActionSerializer(serializers.ModelSerializer[Action]):
    """One line of the public moderation log: what kind of content, what was decided,
    why, and by whom (their role). Never the content, nor who wrote it."""

    noun = serializers.CharField(read_only=True, help_text=gettext_lazy(
        "The kind of content, in the reader's language."))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Action
        fields = ["kind", "kind_display", "noun", "reason", "role", "role_display",
                  "created_at"]
        read_only_fields = fields
