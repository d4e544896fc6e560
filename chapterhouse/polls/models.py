"""A chapter's polls and surveys: questions, the answers given, who has answered.

A poll is a survey of one choice question, asked quickly; both are `Poll` rows (its
`kind` says which), so they share answering, results, export and closing.

Anonymity: in an anonymous poll a member's `Response` carries no member; what stops
them answering twice is a separate `Participation` row (poll, member) that names no
answer. In an open poll the response names its member, and the results show who chose
what. Answers by a survey's public link carry no member either.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUESTION_MAX_LENGTH = 300
OPTION_MAX_LENGTH = 200
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5_000
TEXT_ANSWER_MAX_LENGTH = 2_000
MIN_OPTIONS, MAX_OPTIONS = 2, 20
MAX_QUESTIONS = 20
MAX_DAYS_OPEN = 365
SCALE = range(1, 6)  # a 1–5 scale


class PollKind(models.TextChoices):
    POLL = "poll", _("Poll")
    SURVEY = "survey", _("Survey")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    TEXT = "text", _("Short text")
    SCALE = "scale", _("Scale from 1 to 5")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})


class PollQuerySet(models.QuerySet["Poll"]):
    def open_at(self, now: object) -> PollQuerySet:
        return self.filter(closes_at__gt=now)

    def newest_first(self) -> PollQuerySet:
        return self.order_by("-created_at", "-pk")


class Poll(models.Model):
    """A poll or a survey of a chapter. Written only by services."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE,
                                related_name="polls")
    # A poll stays when its author leaves: the chapter's answers are the chapter's.
    author = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="polls")
    kind = models.CharField(max_length=10, choices=PollKind.choices, default=PollKind.POLL)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH,
                                   blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    closes_at = models.DateTimeField(_("closes at"))
    # A survey open to anyone with its link (no account): the link's secret part.
    link_token = models.CharField(max_length=43, unique=True, null=True, blank=True,
                                  editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PollQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["chapter", "-created_at"], name="poll_chapter_newest")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="poll_titled"),
            models.CheckConstraint(condition=models.Q(kind__in=PollKind.values),
                                   name="poll_kind_known"),
            models.CheckConstraint(
                condition=models.Q(link_token__isnull=True) | models.Q(kind=PollKind.SURVEY),
                name="poll_link_only_for_surveys"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("polls:detail", kwargs={"url_path": self.chapter.url_path,
                                               "public_id": self.public_id})

    def public_url(self) -> str:
        return reverse("polls:public", kwargs={"token": self.link_token}) if self.link_token \
            else ""

    @property
    def is_survey(self) -> bool:
        return self.kind == PollKind.SURVEY

    def is_closed(self, now: object = None) -> bool:
        return self.closes_at <= (now or timezone.now())  # type: ignore[operator]


class Question(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(max_length=QUESTION_MAX_LENGTH)
    # The options' labels, in order (choice questions only); answers name their index.
    options = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="question_position_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=QuestionKind.values),
                                   name="question_kind_known"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS


class Response(models.Model):
    """One person's answers to a poll or survey. `member` only in an open (named) poll
    answered by a member; never for an anonymous poll or an answer by link."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="responses")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="poll_responses")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="response_one_per_member",
                                    condition=models.Q(member__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.poll_id}"


class Answer(models.Model):
    """One answer to one question: an option's index (a multiple choice has a row per
    chosen option), a scale value, or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=TEXT_ANSWER_MAX_LENGTH, blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "value"], name="answer_question_value")]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class Participation(models.Model):
    """That a member has answered a poll, and nothing of what: one per member and poll
    (the database refuses a second), so nobody answers twice."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="poll_participations")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="participation_unique"),
        ]

    def __str__(self) -> str:
        return f"participation {self.pk}"
