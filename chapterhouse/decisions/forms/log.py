"""The filters of the decision log (page and exports)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.chapters.models import Chapter

from .. import presenters
from ..models import Category, Decision

# -- The decision log -----------------------------------------------------------------------


class DecisionFilterForm(forms.Form):
    chapter = forms.CharField(
        label=gettext_lazy("Chapter"), required=False, max_length=400,
        widget=forms.TextInput(attrs={"placeholder": "gb/eng/london"}),
        help_text=gettext_lazy("Its path, e.g. gb/eng/london; “international” for International."),
    )
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
        known = list(dict.fromkeys([*Category.values, *categories]))
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("any"))] + [
            (c, presenters.category_label(c)) for c in known
        ]

    def clean_chapter(self) -> Chapter | None:
        value = (self.cleaned_data.get("chapter") or "").strip().strip("/")
        if not value:
            return None
        path = "" if value.lower() == "international" else value.lower()
        chapter = Chapter.objects.filter(url_path=path).first()
        if chapter is None:
            raise ValidationError(_("There is no such chapter."))
        return chapter

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
