"""The form a facilitator creates a document with (its founding text)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .models import TITLE_MAX_LENGTH, Kind


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH)
    text = forms.CharField(
        label=gettext_lazy("Founding text"), max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 16, "dir": "auto"}),
        help_text=gettext_lazy("Start each section with a line “## Heading”. Once the "
                               "document exists, its sections change only by decisions "
                               "of the chapter."),
    )
