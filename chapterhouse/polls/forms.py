"""The forms of polls and surveys. Plain forms (a survey has a fixed number of question
slots, so no JavaScript is needed); the services check the content."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    DESCRIPTION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    SCALE,
    TEXT_ANSWER_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Poll,
    QuestionKind,
)
from .services import QuestionInput

SURVEY_SLOTS = 8


def option_lines(text: str) -> list[str]:
    """One option a line; blank lines before the first and after the last are ignored,
    a blank line between two options is an empty option (the service says so)."""
    lines = (text or "").replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _closing_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone. No answers are taken after it."),
    )


def default_closing() -> datetime.datetime:
    return timezone.localtime() + datetime.timedelta(days=7)


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=QUESTION_MAX_LENGTH)
    options = forms.CharField(
        label=_("Options"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line, 2 to 20, each different."),
    )
    multiple = forms.BooleanField(label=_("Members may choose several options"),
                                  required=False)
    anonymous = forms.BooleanField(
        label=_("Anonymous"), required=False, initial=True,
        help_text=_("Ticked, only the counts are shown. Unticked, everyone sees who chose "
                    "what."))
    closes_at = _closing_field()


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(label=_("Introduction"), required=False,
                                  max_length=DESCRIPTION_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    anonymous = forms.BooleanField(
        label=_("Anonymous"), required=False, initial=True,
        help_text=_("Unticked, the facilitators see which member gave which answers."))
    by_link = forms.BooleanField(
        label=_("Open to anyone with the link"), required=False,
        help_text=_("People without an account answer by a secret link you share; their "
                    "answers are always anonymous."))
    closes_at = _closing_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in range(1, SURVEY_SLOTS + 1):
            self.fields[f"q{slot}_text"] = forms.CharField(
                label=_("Question %(number)s") % {"number": slot}, required=False,
                max_length=QUESTION_MAX_LENGTH)
            self.fields[f"q{slot}_kind"] = forms.ChoiceField(
                label=_("Answered by"), choices=QuestionKind.choices, required=False)
            self.fields[f"q{slot}_options"] = forms.CharField(
                label=_("Options (for choices: one a line)"), required=False,
                widget=forms.Textarea(attrs={"rows": 3}))

    def slots(self) -> list[list[forms.BoundField]]:
        return [[self[f"q{slot}_text"], self[f"q{slot}_kind"], self[f"q{slot}_options"]]
                for slot in range(1, SURVEY_SLOTS + 1)]

    def questions(self) -> list[QuestionInput]:
        """The slots with a question written in them, in order."""
        data = self.cleaned_data
        return [
            QuestionInput(kind=data[f"q{slot}_kind"] or QuestionKind.SINGLE,
                          text=data[f"q{slot}_text"],
                          options=option_lines(data[f"q{slot}_options"]))
            for slot in range(1, SURVEY_SLOTS + 1) if data[f"q{slot}_text"].strip()
        ]


class AnswerForm(forms.Form):
    """A field per question, named q<position>. `honeypot`: a field people never see
    (hidden by CSS and from screen readers); a script that fills it is quietly
    ignored."""

    def __init__(self, *args: Any, poll: Poll, honeypot: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in poll.questions.all():
            name = f"q{question.position}"
            options = [(str(i), label) for i, label in enumerate(question.options)]
            if question.kind == QuestionKind.SINGLE:
                self.fields[name] = forms.ChoiceField(label=question.text, choices=options,
                                                      widget=forms.RadioSelect)
            elif question.kind == QuestionKind.MULTIPLE:
                self.fields[name] = forms.MultipleChoiceField(
                    label=question.text, choices=options, widget=forms.CheckboxSelectMultiple)
            elif question.kind == QuestionKind.SCALE:
                self.fields[name] = forms.ChoiceField(
                    label=question.text, choices=[(str(v), str(v)) for v in SCALE],
                    widget=forms.RadioSelect, help_text=_("1: not at all · 5: very much"))
            else:
                self.fields[name] = forms.CharField(
                    label=question.text, required=False, max_length=TEXT_ANSWER_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 3}))
        if honeypot:
            self.fields["website"] = forms.CharField(required=False, label=_("Leave this empty"))
        self.positions = {f"q{q.position}": q.position for q in poll.questions.all()}

    def answers(self) -> dict[int, Any]:
        return {position: self.cleaned_data.get(name)
                for name, position in self.positions.items()}

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.positions]


class ProposalForm(forms.Form):
    category = forms.ChoiceField(label=_("Category of the proposal"))

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = categories

