from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Markdown: **bold**, *italic*, [links](https://example.org), lists and headings. "
            "HTML is not allowed."
        ),
    )
    reaches_subchapters = forms.BooleanField(
        label=_("Also show it on the page of every chapter below this one"),
        required=False,
        help_text=_("Every member of this chapter is told either way: the members of the "
                    "chapters below belong to this chapter too."),
    )


class EditForm(forms.Form):
    """The title and text of an announcement already sent (where it shows stays)."""

    title = AnnouncementForm.base_fields["title"]
    body = AnnouncementForm.base_fields["body"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=REASON_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the announcement's page, in place of its text."),
    )
