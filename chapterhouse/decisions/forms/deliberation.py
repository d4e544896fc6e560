"""Forms used during deliberation: amendments, stakes, moving up and referring down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.chapters.models import Chapter

from .. import presenters
from ..models import MAX_WEIGHT, Amendment

# -- During deliberation -------------------------------------------------------------------


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Your amendment"), widget=forms.RadioSelect,
        choices=[
            (Amendment.Kind.TEXT_CHANGE, gettext_lazy("changes the text")),
            (Amendment.Kind.ALTERNATIVE, gettext_lazy("is an alternative option on the ballot")),
        ],
    )
    label = forms.CharField(
        label=gettext_lazy("Label on the ballot"), required=False, max_length=200,
        help_text=gettext_lazy("Needed for an alternative: a few words voters choose by."),
    )
    text = forms.CharField(label=gettext_lazy("Text"), max_length=50_000,
                           widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=gettext_lazy("Markdown."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("kind") == Amendment.Kind.ALTERNATIVE and not (data.get("label") or "").strip():
            self.add_error("label", _("Give the alternative a short label for the ballot."))
        return data


class StakeForm(forms.Form):
    weight = forms.FloatField(
        label=gettext_lazy("Your weight"), min_value=0.5, max_value=MAX_WEIGHT,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    reason = forms.CharField(label=gettext_lazy("Why you are more affected (public)"),
                             max_length=300)

    def __init__(self, *args: Any, cap: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.fields["weight"].widget.attrs["max"] = str(cap)
            self.fields["weight"].help_text = _("At most %(cap)s.") % {
                "cap": presenters.number(cap)}


class MoveUpForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Move up to"))

    def __init__(self, *args: Any, ancestors: Sequence[Chapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chapters = {c.url_path: c for c in ancestors}
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (c.url_path, c.display_name()) for c in reversed(ancestors)
        ]

    def chapter(self) -> Chapter:
        return self.chapters[self.cleaned_data["to"]]


class ReferDownForm(forms.Form):
    to = forms.MultipleChoiceField(label=gettext_lazy("Refer to"),
                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, children: Sequence[Chapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chapters = {c.url_path: c for c in children}
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            (c.url_path, c.display_name()) for c in children
        ]

    def selected(self) -> list[Chapter]:
        return [self.chapters[p] for p in self.cleaned_data["to"]]
