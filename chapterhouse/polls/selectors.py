"""Reading polls and surveys: a chapter's list, one poll, whether a member answered,
the results (counts per option, scale averages, texts), the CSV rows, the export."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, QuerySet

from .models import SCALE, Answer, Participation, Poll, Question, QuestionKind, Response

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member


def chapter_polls(chapter: Chapter, *, kind: str = "") -> QuerySet[Poll]:
    """The chapter's polls and surveys (only those of `kind` when given), newest first,
    each with its number of answers (one query for a page, whatever their number)."""
    polls = Poll.objects.filter(chapter=chapter)
    if kind:
        polls = polls.filter(kind=kind)
    return (polls.select_related("chapter", "author")
            .annotate(response_count=Count("responses")).newest_first())


def get_poll(chapter: Chapter, public_id: uuid.UUID) -> Poll | None:
    return (Poll.objects.select_related("chapter", "author")
            .prefetch_related("questions").filter(chapter=chapter, public_id=public_id).first())


def get_poll_by_id(public_id: uuid.UUID) -> Poll | None:
    """A poll of any chapter (the API's address), with its chapter, author, questions
    and number of answers."""
    return (Poll.objects.select_related("chapter", "author").prefetch_related("questions")
            .annotate(response_count=Count("responses")).filter(public_id=public_id).first())


def get_poll_by_link(token: str) -> Poll | None:
    if not token:
        return None
    return (Poll.objects.select_related("chapter", "author").prefetch_related("questions")
            .filter(link_token=token).first())


def has_answered(poll: Poll, member: Member | None) -> bool:
    return member is not None and Participation.objects.filter(poll=poll, member=member).exists()


def _width(part: int, whole: int) -> str:
    """The bar's width class (site.css .w-0 … .w-100, in steps of 5; a sliver for any)."""
    if not whole or not part:
        return "w-0"
    step = round(part * 20 / whole) * 5
    return f"w-{step}" if step else "w-1"


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


@dataclass
class Bar:
    label: str
    count: int
    percent: int
    width: str
    names: list[str] = field(default_factory=list)


@dataclass
class QuestionResult:
    question: Question
    bars: list[Bar]
    answered: int  # how many responses answered it
    average: float | None = None
    texts: list[str] = field(default_factory=list)


def results(poll: Poll, *, with_texts: bool = False) -> tuple[int, list[QuestionResult]]:
    """(number of responses, a result per question). Choice and scale questions as bars
    (a share of the responses that answered the question: several choices may add up
    to more than 100 %); in an open poll each bar names who chose it; texts only
    `with_texts` (they may say who wrote them). Three queries whatever the answers."""
    total = Response.objects.filter(poll=poll).count()
    questions = list(poll.questions.all())
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    answered: dict[int, set[int]] = defaultdict(set)
    names: dict[tuple[int, int], list[str]] = defaultdict(list)
    texts: dict[int, list[str]] = defaultdict(list)
    rows = Answer.objects.filter(response__poll=poll).order_by("response_id", "pk")
    if not poll.anonymous:
        rows = rows.select_related("response__member")
    for answer in rows:
        answered[answer.question_id].add(answer.response_id)
        if answer.value is not None:
            counts[answer.question_id][answer.value] += 1
            member = answer.response.member if not poll.anonymous else None
            if member is not None:
                names[(answer.question_id, answer.value)].append(member.display_name)
        elif with_texts:
            texts[answer.question_id].append(answer.text)
    found: list[QuestionResult] = []
    for question in questions:
        whole = len(answered[question.pk])
        tally = counts[question.pk]
        if question.kind == QuestionKind.SCALE:
            labels = [(value, str(value)) for value in SCALE]
        else:
            labels = list(enumerate(question.options))
        bars = [Bar(label=label, count=tally[value], percent=_percent(tally[value], whole),
                    width=_width(tally[value], whole),
                    names=sorted(names[(question.pk, value)]))
                for value, label in labels]
        average = None
        if question.kind == QuestionKind.SCALE and tally:
            average = round(sum(v * n for v, n in tally.items()) / sum(tally.values()), 1)
        found.append(QuestionResult(question=question, bars=bars, answered=whole,
                                    average=average, texts=texts[question.pk]))
    return total, found


def csv_rows(poll: Poll) -> list[list[str]]:
    """The survey's answers as a table: a row per response, a column per question
    (several choices joined by "; "); the member's name first in an open poll."""
    questions = list(poll.questions.all())
    header = ([] if poll.anonymous else ["member"]) + [q.text for q in questions]
    responses = (Response.objects.filter(poll=poll).select_related("member")
                 .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("pk")))
                 .order_by("pk"))
    table = [header]
    for response in responses:
        cells: dict[int, list[str]] = defaultdict(list)
        for answer in response.answers.all():
            cells[answer.question_id].append(answer.text or str(answer.value))
        by_question = []
        for question in questions:
            given = cells[question.pk]
            if question.is_choice:
                given = [question.options[int(v)] for v in given if int(v) < len(question.options)]
            by_question.append("; ".join(given))
        who = [] if poll.anonymous else [response.member.display_name if response.member
                                         else ""]
        table.append(who + by_question)
    return table


def account_export(member: Member) -> dict[str, Any]:
    """The polls and surveys the member made, and their named answers (their answers
    to anonymous polls are linked to nobody, so they cannot be exported)."""
    made = [
        {"id": str(poll.public_id), "chapter": poll.chapter.url_path, "kind": poll.kind,
         "title": poll.title, "anonymous": poll.anonymous,
         "closes_at": poll.closes_at.isoformat(), "created_at": poll.created_at.isoformat()}
        for poll in Poll.objects.filter(author=member).select_related("chapter")
        .order_by("created_at", "pk")
    ]
    answers = []
    for answer in (Answer.objects.filter(response__member=member)
                   .select_related("question__poll").order_by("response_id", "pk")):
        question = answer.question
        if question.is_choice and answer.value is not None and answer.value < len(
                question.options):
            given = question.options[answer.value]
        else:
            given = answer.text or str(answer.value)
        answers.append({"poll": str(question.poll.public_id), "question": question.text,
                        "answer": given})
    return {"polls_created": made, "poll_answers": answers}
