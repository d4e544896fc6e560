"""What the documents API shows: a document, its sections, a section's versions (each
naming the decision that made it) and the difference between two versions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chapterhouse.chapters.api import ChapterRefSerializer

from .models import Document, Section, SectionVersion


def _history_url(section: Section) -> str:
    return reverse("v1:document-section-versions", kwargs={"public_id": section.public_id})


class DocumentSerializer(serializers.ModelSerializer[Document]):
    """A founding document of a chapter (its sections change only by decisions)."""

    chapter = ChapterRefSerializer(read_only=True)
    section_count = serializers.IntegerField(read_only=True)
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["public_id", "chapter", "kind", "title", "slug", "section_count",
                  "created_at", "web_url", "api_url"]
        read_only_fields = fields

    def get_api_url(self, document: Document) -> str:
        return reverse("v1:document-detail", kwargs={"public_id": document.public_id})


class SectionSerializer(serializers.ModelSerializer[Section]):
    """A section as it stands: its heading and text of its latest version."""

    versions_url = serializers.SerializerMethodField(help_text=gettext_lazy(
        "Its versions, each naming the decision that made it."))
    web_history_url = serializers.SerializerMethodField()

    class Meta:
        model = Section
        fields = ["public_id", "position", "heading", "text", "version", "versions_url",
                  "web_history_url"]
        read_only_fields = fields

    def get_versions_url(self, section: Section) -> str:
        return _history_url(section)

    def get_web_history_url(self, section: Section) -> str:
        document: Document = self.context["document"]
        return reverse("documents:history", kwargs={
            "url_path": document.chapter.url_path, "slug": document.slug,
            "section_id": section.public_id})


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its sections, in order."""

    section_count = serializers.SerializerMethodField()  # type: ignore[assignment]
    sections = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "sections"]
        read_only_fields = fields

    def get_section_count(self, document: Document) -> int:
        return len(self.context["sections"])

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, document: Document) -> list[dict[str, Any]]:
        return list(SectionSerializer(self.context["sections"], many=True,
                                      context={"document": document}).data)


class DecisionRefSerializer(serializers.Serializer[Any]):
    """The decision that made a version."""

    public_id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    web_url = serializers.CharField(read_only=True)
    api_url = serializers.CharField(read_only=True)


class VersionSerializer(serializers.ModelSerializer[SectionVersion]):
    """One version of a section. `decision` is null for the founding text (version
    1); `based_on` is the version the decision's amendment was drafted against."""

    decision = serializers.SerializerMethodField()

    class Meta:
        model = SectionVersion
        fields = ["number", "heading", "text", "created_at", "decision", "based_on"]
        read_only_fields = fields

    @extend_schema_field(DecisionRefSerializer(allow_null=True))
    def get_decision(self, version: SectionVersion) -> dict[str, str] | None:
        if version.decision_public_id is None:
            return None
        return {
            "public_id": str(version.decision_public_id), "title": version.summary,
            "web_url": version.decision_url,
            "api_url": reverse("v1:decision-detail",
                               kwargs={"public_id": version.decision_public_id}),
        }


class DiffQuerySerializer(serializers.Serializer[Any]):
    # `from` is a Python keyword: the field is renamed in to_internal_value's result.
    to = serializers.IntegerField(min_value=1, max_value=2_000_000_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = serializers.IntegerField(min_value=1, max_value=2_000_000_000)


class DiffSerializer(serializers.Serializer[Any]):
    """What changed from one version to another: the text with removed words in
    <del> and added ones in <ins>, every piece of text HTML-escaped."""

    section = serializers.UUIDField(read_only=True)
    before = VersionSerializer(read_only=True)
    after = VersionSerializer(read_only=True)
    heading_changed = serializers.BooleanField(read_only=True)
    diff_html = serializers.CharField(read_only=True)
