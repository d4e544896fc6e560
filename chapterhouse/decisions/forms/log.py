"""The filters of the decision log (page and exports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.chapters.access import url_path_of
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import chapters_called
from chapterhouse.lib.autocomplete import autocomplete_attrs

from .. import presenters
from ..models import Category, Decision

# The chapters listed when a name stands for several (more: narrow it with a parent).
CHAPTER_CHOICES = 20

# -- The decision log -----------------------------------------------------------------------


class DecisionFilterForm(forms.Form):
    """The log's filters. The chapter is typed as a name in any language ("London",
    "Londres"), a name with its parents ("London, Ontario") or an address
    (gb/eng/london, as old links give it): chapters.selectors.chapters_called. With
    JavaScript it is the one autocomplete over chapters:search, whose chosen
    suggestion also fills `chapter_path` (its address: exactly that chapter).
    A name several chapters have is an error listing them (`chapter_choices`), so
    the log never shows every chapter's decisions as if they were one's."""

    chapter = forms.CharField(
        label=gettext_lazy("Chapter"), required=False, max_length=400,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy("Its name, e.g. London or Londres, or its address, "
                               "e.g. gb/eng/london."),
    )
    # Filled by a chosen suggestion (autocomplete.js) and cleared by typing; the page
    # never writes it back, so a name typed later is never overruled by it.
    chapter_path = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)
    subchapters = forms.BooleanField(label=gettext_lazy("and its sub-chapters"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False,
        choices=[("", gettext_lazy("any")), *Decision.Outcome.choices],
    )
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, categories: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The chapters a name stood for when it stood for several (for "Which …?").
        self.chapter_choices: list[Chapter] = []
        self.fields["chapter"].widget.attrs.update(autocomplete_attrs(
            f"{reverse('chapters:search')}?within=international&value=name",
            code="#id_chapter_path", query="q",
        ))
        known = list(dict.fromkeys([*Category.values, *categories]))
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("any"))] + [
            (c, presenters.category_label(c)) for c in known
        ]

    def clean_chapter(self) -> Chapter | None:
        text = (self.cleaned_data.get("chapter") or "").strip()
        if not text:
            return None
        # A chosen suggestion's address picks exactly its chapter (names may repeat).
        chosen = str(self.data.get("chapter_path") or "").strip()[:400]
        if chosen:
            chapter = Chapter.objects.filter(url_path=url_path_of(chosen)).first()
            if chapter is not None:
                return chapter
        found = chapters_called(text, limit=CHAPTER_CHOICES)
        if len(found) == 1:
            return found[0]
        if found:
            self.chapter_choices = found
            raise ValidationError(
                _("Several chapters are called “%(name)s”: choose one.") % {"name": text}
            )
        if "/" in text:
            raise ValidationError(
                _("There is no chapter at the address “%(address)s”.") % {"address": text}
            )
        raise ValidationError(
            _("No chapter is named “%(name)s”. Check its spelling, or type part of the "
              "name and choose from the suggestions.") % {"name": text}
        )

    def show_chapter_as(self, name: str) -> None:
        """The field shows the chapter found as `name` (its name with its parents, which
        finds it again) rather than what was typed."""
        data = cast(QueryDict, self.data).copy()  # a QueryDict or a dict: both copy
        data["chapter"] = name
        self.data = data

    def clean_until(self) -> date | None:
        # The filter ends at the start of the next day, which must exist.
        until: date | None = self.cleaned_data.get("until")
        if until is not None and until >= date.max:
            raise ValidationError(_("Enter an earlier date."))
        return until

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return data

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.decisions()."""
        from datetime import datetime, time

        from django.utils import timezone

        data = self.cleaned_data if self.is_valid() else {}
        tz = timezone.get_current_timezone()
        since, until = data.get("since"), data.get("until")
        return {
            "chapter": data.get("chapter"),
            "include_subchapters": bool(data.get("subchapters")),
            "category": data.get("category") or None,
            "outcome": data.get("outcome") or None,
            "since": datetime.combine(since, time.min, tzinfo=tz) if since else None,
            "until": datetime.combine(until, time.min, tzinfo=tz) + timedelta(days=1)
            if until else None,
        }
