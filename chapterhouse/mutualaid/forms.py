from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DESCRIPTION_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Category, EntryKind


class EntryForm(forms.Form):
    """An offer or a request. The service checks the dates (ValidationError on
    `expires_on`), so the form only parses."""

    kind = forms.ChoiceField(label=_("I…"), choices=[
        (EntryKind.OFFER, _("offer something")), (EntryKind.REQUEST, _("request something")),
    ], widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown: **bold**, *italic*, [links](https://example.org), lists and headings. "
            "HTML is not allowed."
        ),
    )
    expires_on = forms.DateField(
        label=_("Shown on the board until"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Left empty: 30 days from today."),  # models.DEFAULT_DAYS
    )
    visible_to_everyone = forms.BooleanField(
        label=_("Visible to everyone"), required=False,
        help_text=_("Unticked, only the members of this chapter see it. Ticked, anyone "
                    "who visits the site does, signed in or not."),
    )


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it?"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the author reads it: it opens a private conversation with them."),
    )


class BoardFilterForm(forms.Form):
    """The board's filters (a GET form). An unknown value is an error of its field and
    filters nothing."""

    kind = forms.ChoiceField(label=_("Offers or requests"), required=False, choices=[
        ("", _("Both")), (EntryKind.OFFER, _("Offers")), (EntryKind.REQUEST, _("Requests")),
    ])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    subchapters = forms.BooleanField(label=_("Include the chapters below"), required=False)
