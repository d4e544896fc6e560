"""Writing polls and surveys: create one, answer it (as a member, or by a survey's
public link), close it early, turn a poll into a draft proposal, and remove a leaving
member's answers.

Bad input (options empty, duplicated once spaces and case are folded, too few or too
many; a closing time in the past; an unknown option; an empty answer) raises
`PollError` (a `Refused`) and nothing is stored. Who may do what is the interface's
check (rules.py); the services check what only they know: the poll is still open,
the member has not answered yet (a unique row, never check-then-insert).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.decisions.services import create_draft
from chapterhouse.lib import audit
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.text import without_bidi_controls

from .models import (
    CHOICE_KINDS,
    DESCRIPTION_MAX_LENGTH,
    MAX_DAYS_OPEN,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_OPTIONS,
    OPTION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    SCALE,
    TEXT_ANSWER_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Answer,
    Participation,
    Poll,
    PollKind,
    Question,
    QuestionKind,
    Response,
)

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.decisions.models import Proposal
    from chapterhouse.members.models import Member


class PollError(Refused):
    """A refused write on a poll or survey; `message` is for the member."""


@dataclass(frozen=True)
class QuestionInput:
    kind: str
    text: str
    options: Sequence[str] = field(default_factory=tuple)


def _one_line(value: str) -> str:
    return " ".join(without_bidi_controls(value or "").split())


def clean_options(options: Sequence[str]) -> list[str]:
    """The options as shown (spaces folded), refused when one is empty, two are the same
    once case and spaces are folded, or there are fewer than 2 or more than 20."""
    cleaned = [_one_line(option) for option in options]
    for number, option in enumerate(cleaned, start=1):
        if not option:
            raise PollError(_("Option %(number)s is empty: write it or remove it.")
                            % {"number": number})
        if len(option) > OPTION_MAX_LENGTH:
            raise PollError(_("An option can be at most %(max)s characters long.")
                            % {"max": OPTION_MAX_LENGTH})
    seen: dict[str, str] = {}
    for option in cleaned:
        key = option.casefold()
        if key in seen:
            raise PollError(_("“%(option)s” is there twice: every option must differ.")
                            % {"option": option})
        seen[key] = option
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise PollError(_("Give between %(min)s and %(max)s options.")
                        % {"min": MIN_OPTIONS, "max": MAX_OPTIONS})
    return cleaned


def _clean_question(question: QuestionInput) -> tuple[str, str, list[str]]:
    if question.kind not in QuestionKind.values:
        raise PollError(_("Choose what kind of answer each question takes."))
    text = _one_line(question.text)
    if not text:
        raise PollError(_("Write the question."))
    if len(text) > QUESTION_MAX_LENGTH:
        raise PollError(_("A question can be at most %(max)s characters long.")
                        % {"max": QUESTION_MAX_LENGTH})
    options = clean_options(question.options) if question.kind in CHOICE_KINDS else []
    return question.kind, text, options


def _clean_closing(closes_at: datetime.datetime | None, now: datetime.datetime
                   ) -> datetime.datetime:
    if closes_at is None:
        raise PollError(_("Say when it closes."))
    if closes_at <= now:
        raise PollError(_("The closing time has passed: choose one in the future."))
    if closes_at > now + datetime.timedelta(days=MAX_DAYS_OPEN):
        raise PollError(_("It can stay open at most %(days)s days.") % {"days": MAX_DAYS_OPEN})
    return closes_at


def _create(*, chapter: Chapter, author: Member, kind: str, title: str, description: str,
            questions: Sequence[QuestionInput], anonymous: bool, closes_at: datetime.datetime
            | None, by_link: bool, now: datetime.datetime | None) -> Poll:
    now = now or timezone.now()
    title = _one_line(title)
    if not title:
        raise PollError(_("Write the question.") if kind == PollKind.POLL
                        else _("Give the survey a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise PollError(_("A title can be at most %(max)s characters long.")
                        % {"max": TITLE_MAX_LENGTH})
    description = without_bidi_controls(description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise PollError(_("A description can be at most %(max)s characters long.")
                        % {"max": DESCRIPTION_MAX_LENGTH})
    if not questions:
        raise PollError(_("Ask at least one question."))
    if len(questions) > MAX_QUESTIONS:
        raise PollError(_("A survey can have at most %(max)s questions.")
                        % {"max": MAX_QUESTIONS})
    cleaned = [_clean_question(question) for question in questions]
    closes = _clean_closing(closes_at, now)
    with transaction.atomic():
        poll = Poll.objects.create(
            chapter=chapter, author=author, kind=kind, title=title, description=description,
            anonymous=anonymous or by_link, closes_at=closes, created_at=now,
            link_token=secrets.token_urlsafe(32) if by_link else None,
        )
        Question.objects.bulk_create(
            Question(poll=poll, position=position, kind=q_kind, text=text, options=options)
            for position, (q_kind, text, options) in enumerate(cleaned, start=1)
        )
    return poll


def create_poll(*, chapter: Chapter, author: Member, question: str, options: Sequence[str],
                multiple: bool = False, anonymous: bool = True,
                closes_at: datetime.datetime | None, now: datetime.datetime | None = None,
                ) -> Poll:
    """A quick poll: one question, 2–20 options, one or several choices, open (names
    shown) or anonymous, closing at `closes_at` (in the future, within a year)."""
    kind = QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE
    return _create(chapter=chapter, author=author, kind=PollKind.POLL, title=question,
                   description="", questions=[QuestionInput(kind, question, options)],
                   anonymous=anonymous, closes_at=closes_at, by_link=False, now=now)


def create_survey(*, chapter: Chapter, author: Member, title: str, description: str = "",
                  questions: Sequence[QuestionInput], anonymous: bool = True,
                  by_link: bool = False, closes_at: datetime.datetime | None,
                  now: datetime.datetime | None = None) -> Poll:
    """A survey of 1–20 questions. `by_link`: anyone with its unguessable link answers,
    without an account (always anonymously)."""
    return _create(chapter=chapter, author=author, kind=PollKind.SURVEY, title=title,
                   description=description, questions=questions, anonymous=anonymous,
                   closes_at=closes_at, by_link=by_link, now=now)


def _answers_for(poll: Poll, given: Mapping[int, Any]) -> list[tuple[Question, int | None, str]]:
    """(question, value, text) rows from {question position: answer}: a choice's option
    index (a list of them for several choices), a scale value, a text. Every choice and
    scale question must be answered; a text may be left empty."""
    rows: list[tuple[Question, int | None, str]] = []
    for question in poll.questions.all():
        raw = given.get(question.position)
        if question.kind == QuestionKind.TEXT:
            text = without_bidi_controls(str(raw or "")).strip()
            if len(text) > TEXT_ANSWER_MAX_LENGTH:
                raise PollError(_("An answer can be at most %(max)s characters long.")
                                % {"max": TEXT_ANSWER_MAX_LENGTH})
            if text:
                rows.append((question, None, text))
            continue
        values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
        try:
            numbers = sorted({int(value) for value in values})
        except (TypeError, ValueError):
            raise PollError(_("That is not one of the choices.")) from None
        if not numbers:
            raise PollError(_("Answer “%(question)s”.") % {"question": question.text})
        allowed = SCALE if question.kind == QuestionKind.SCALE else range(len(question.options))
        if any(number not in allowed for number in numbers):
            raise PollError(_("That is not one of the choices."))
        if question.kind != QuestionKind.MULTIPLE and len(numbers) > 1:
            raise PollError(_("Choose only one answer to “%(question)s”.")
                            % {"question": question.text})
        rows.extend((question, number, "") for number in numbers)
    if not rows:
        raise PollError(_("Your answer is empty."))
    return rows


def _store(poll: Poll, member: Member | None, named: bool,
           rows: list[tuple[Question, int | None, str]]) -> Response:
    response = Response.objects.create(poll=poll, member=member if named else None)
    Answer.objects.bulk_create(Answer(response=response, question=question, value=value,
                                      text=text) for question, value, text in rows)
    return response


def answer(*, poll: Poll, member: Member, answers: Mapping[int, Any],
           now: datetime.datetime | None = None) -> Response:
    """A member's answers ({question position: answer}, see _answers_for). Refused after
    closing and the second time (the Participation's unique constraint decides, so two
    requests at once store one answer). In an anonymous poll the response names nobody."""
    if poll.is_closed(now):
        raise PollError(_("This poll is closed: it takes no more answers."))
    rows = _answers_for(poll, answers)
    try:
        with transaction.atomic():
            Participation.objects.create(poll=poll, member=member)
            return _store(poll, member, not poll.anonymous, rows)
    except IntegrityError:
        raise PollError(_("You have answered already: one answer each.")) from None


def answer_by_link(*, poll: Poll, answers: Mapping[int, Any], member: Member | None = None,
                   now: datetime.datetime | None = None) -> Response:
    """Answers to a survey by its public link, by anyone (rate limits are the
    interface's: they count requests). Never names who answered; a signed-in member
    still answers once."""
    if poll.link_token is None:
        raise PollError(_("This survey is not open to everyone."))
    if member is not None:
        return answer(poll=poll, member=member, answers=answers, now=now)
    if poll.is_closed(now):
        raise PollError(_("This survey is closed: it takes no more answers."))
    rows = _answers_for(poll, answers)
    with transaction.atomic():
        return _store(poll, None, False, rows)


def close_poll(*, poll: Poll, member: Member, now: datetime.datetime | None = None) -> Poll:
    """Close a poll or survey now, before its closing time: it takes no more answers
    (by its link neither) and everyone who sees it sees its results. Refused when it is
    closed already. Audited: its author or a facilitator closed it."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Poll.objects.select_for_update(of=("self",)).get(pk=poll.pk)
        if locked.is_closed(now):
            raise PollError(_("This poll is closed already."))
        locked.closes_at = now
        locked.save(update_fields=["closes_at"])
        audit.record(actor=member, action="polls.close", target=locked,
                     chapter=poll.chapter, data={"title": locked.title})
    poll.closes_at = now
    return poll


def make_proposal(*, poll: Poll, author: Member, category: str) -> Proposal:
    """A draft proposal in the poll's chapter (decisions' create_draft): its title the
    question, its options the poll's options where the category is decided between
    options; where it is decided yes/no, the options are listed in its text instead.
    The text says where it came from. decisions' refusals (not a member there, no such
    category) come through as they are."""
    from chapterhouse.decisions.models import YES_NO_METHODS
    from chapterhouse.decisions.selectors import effective_rule

    if poll.kind != PollKind.POLL:
        raise PollError(_("Only a poll can become a proposal."))
    question = poll.questions.all()[0]
    rule = effective_rule(poll.chapter, category)
    listed = "\n".join(f"- {option}" for option in question.options)
    text = _("This proposal comes from the poll “%(question)s”.") % {"question": poll.title}
    if rule is not None and rule.method in YES_NO_METHODS:
        options: list[str] = []
        text += "\n\n" + _("The poll's options were:") + "\n\n" + listed
    else:
        options = list(question.options)
    return create_draft(chapter=poll.chapter, author=author, title=poll.title[:200],
                               text=text, category=category, options=options)


def remove_answers_of(member: Member) -> int:
    """A leaving member's named answers and their "has answered" rows (their anonymous
    answers name nobody, so they stay, unlinkable). Their polls stay, without author."""
    with transaction.atomic():
        removed, _detail = Response.objects.filter(member=member).delete()
        Participation.objects.filter(member=member).delete()
        Poll.objects.filter(author=member).update(author=None)
    return removed
