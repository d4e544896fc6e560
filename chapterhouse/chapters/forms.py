from django import forms
from django.utils.translation import gettext_lazy as _

DESCRIPTION_MAX_LENGTH = 10_000


class ChapterDescriptionForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Markdown: **bold**, *italic*, [links](https://example.org), lists and headings. "
            "HTML is not allowed."
        ),
    )
