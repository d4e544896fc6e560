"""What the polls API shows and takes: a poll or survey, its questions and results;
a new poll, a new survey, a member's answers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.conversations.api import PersonSerializer
from chapterhouse.lib.interface import person
from chapterhouse.members.api import StrictSerializer

from .models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    OPTION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    TEXT_ANSWER_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Poll,
    Question,
    QuestionKind,
)
from .selectors import QuestionResult

CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")
# Lengths and counts are the service's to check (with its own messages); these bounds
# only keep what is parsed small.
_SLACK = 1000


class QuestionSerializer(serializers.ModelSerializer[Question]):
    """A question; a choice question's answers name an option by its index (from 0),
    a scale question's by a number from 1 to 5."""

    class Meta:
        model = Question
        fields = ["position", "kind", "text", "options"]
        read_only_fields = fields


class PollSerializer(serializers.ModelSerializer[Poll]):
    """A poll (one choice question) or a survey (several questions)."""

    chapter = ChapterRefSerializer(read_only=True)
    author = serializers.SerializerMethodField()
    closed = serializers.SerializerMethodField()
    response_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy(
        "How many have answered."))
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Poll
        fields = ["public_id", "chapter", "author", "kind", "title", "description",
                  "anonymous", "closes_at", "closed", "created_at", "response_count",
                  "web_url"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, poll: Poll) -> dict[str, str] | None:
        return person(poll.author)

    def get_closed(self, poll: Poll) -> bool:
        return poll.is_closed()


class BarSerializer(serializers.Serializer[Any]):
    # DRF takes declared fields off the class, so "label" shadows nothing at run time.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    count = serializers.IntegerField(read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text=gettext_lazy(
        "Of those who answered the question (several choices may add up to more than "
        "100)."))
    names = serializers.ListField(child=serializers.CharField(), read_only=True,
                                  help_text=gettext_lazy(
                                      "Who chose it, in an open (not anonymous) poll."))


class QuestionResultSerializer(serializers.Serializer[QuestionResult]):
    position = serializers.IntegerField(source="question.position", read_only=True)
    answered = serializers.IntegerField(read_only=True)
    bars = BarSerializer(many=True, read_only=True)
    average = serializers.FloatField(read_only=True, allow_null=True)
    texts = serializers.ListField(child=serializers.CharField(), read_only=True,
                                  help_text=gettext_lazy(
                                      "Short text answers: for its author and the "
                                      "chapter's facilitators only."))


class ResultsSerializer(serializers.Serializer[Any]):
    responses = serializers.IntegerField(read_only=True)
    questions = QuestionResultSerializer(many=True, read_only=True)


class PollDetailSerializer(serializers.Serializer[Any]):
    """A poll with its questions, what the viewer may do, and its results when the
    viewer may see them (its author and the facilitators always; those who answered;
    everyone once it closed), else null."""

    poll = PollSerializer(read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)
    answered = serializers.BooleanField(read_only=True, help_text=gettext_lazy(
        "You have answered it."))
    may_answer = serializers.BooleanField(read_only=True)
    public_url = serializers.CharField(read_only=True, allow_null=True, help_text=gettext_lazy(
        "A survey's link for people without an account (its author and the "
        "facilitators only)."))
    results = ResultsSerializer(read_only=True, allow_null=True)


def detail_data(poll: Poll, *, answered: bool, may_answer: bool, may_export: bool,
                results: tuple[int, list[QuestionResult]] | None) -> dict[str, Any]:
    return dict(PollDetailSerializer({
        "poll": poll, "questions": list(poll.questions.all()), "answered": answered,
        "may_answer": may_answer,
        "public_url": poll.public_url() if poll.link_token and may_export else None,
        "results": None if results is None else {"responses": results[0],
                                                 "questions": results[1]},
    }).data)


class PollCreateSerializer(StrictSerializer):
    chapter = serializers.CharField(help_text=CHAPTER_HELP)
    question = serializers.CharField(max_length=QUESTION_MAX_LENGTH + _SLACK)
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=OPTION_MAX_LENGTH + _SLACK),
        max_length=MAX_OPTIONS + _SLACK, help_text=gettext_lazy("2 to 20, each different."))
    multiple = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy(
        "Members may choose several options."))
    anonymous = serializers.BooleanField(required=False, default=True, help_text=gettext_lazy(
        "True: only the counts are shown. False: everyone sees who chose what."))
    closes_at = serializers.DateTimeField(help_text=gettext_lazy(
        "No answers are taken after it; within a year."))


class QuestionInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=QUESTION_MAX_LENGTH + _SLACK)
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=OPTION_MAX_LENGTH + _SLACK),
        max_length=MAX_OPTIONS + _SLACK, required=False, default=list,
        help_text=gettext_lazy("For choice questions: 2 to 20, each different."))


class SurveyCreateSerializer(StrictSerializer):
    chapter = serializers.CharField(help_text=CHAPTER_HELP)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH + _SLACK)
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=DESCRIPTION_MAX_LENGTH + _SLACK)
    questions: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=QuestionInputSerializer(), max_length=MAX_QUESTIONS + _SLACK)
    anonymous = serializers.BooleanField(required=False, default=True, help_text=gettext_lazy(
        "False: the facilitators see which member gave which answers."))
    by_link = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy(
        "Open to anyone with its link, without an account (always anonymous); those "
        "answers are given on its page, not over the API."))
    closes_at = serializers.DateTimeField()


class PollAnswerField(serializers.JSONField):
    """One answer: an option's index, a list of them, a number from 1 to 5, or a
    text."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if isinstance(value, bool) or not (
                isinstance(value, int | str)
                or (isinstance(value, list) and len(value) <= MAX_OPTIONS
                    and all(isinstance(item, int) and not isinstance(item, bool)
                            for item in value))):
            raise serializers.ValidationError(_("Give an option's number, a list of them, "
                                                "a number from 1 to 5, or a text."))
        if isinstance(value, str) and len(value) > TEXT_ANSWER_MAX_LENGTH + _SLACK:
            raise serializers.ValidationError(
                _("An answer can be at most %(max)s characters long.")
                % {"max": TEXT_ANSWER_MAX_LENGTH})
        return value


class PollAnswerSerializer(StrictSerializer):
    answers = serializers.DictField(
        child=PollAnswerField(), allow_empty=False, help_text=gettext_lazy(
            "By question position (\"1\", \"2\"…): an option's index (from 0), a list "
            "of them for several choices, a number from 1 to 5 for a scale, or a text."))

    def validate_answers(self, value: dict[str, Any]) -> dict[int, Any]:
        given: dict[int, Any] = {}
        for key, answer in value.items():
            if not (key.isascii() and key.isdigit()) or len(key) > 3:
                raise serializers.ValidationError(
                    _("Name each question by its position: 1, 2, 3…"))
            given[int(key)] = answer
        return given

