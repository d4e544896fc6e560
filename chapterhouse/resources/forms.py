from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    DESCRIPTION_MAX_LENGTH,
    LESSON_BODY_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Topic,
    Visibility,
)

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, [links](https://example.org), lists and "
                  "headings. HTML is not allowed.")


class ResourceForm(forms.Form):
    """A link or a file (the service checks that exactly one is given, and the file's
    content)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH,
                                  required=False, widget=forms.Textarea(attrs={"rows": 4}))
    # A plain text field: the service accepts only http and https links, and says so.
    url = forms.CharField(label=_("Link"), max_length=URL_MAX_LENGTH, required=False,
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    file = forms.FileField(label=_("Or a file"), required=False, allow_empty_file=True,
                           help_text=_("PDF, PNG, JPEG, WebP, OpenDocument, Microsoft Office "
                                       "or plain text."))
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False,
                           help_text=_("Separated by commas, e.g. “training, flyers”."))
    visibility = forms.ChoiceField(label=_("Who can see it"), choices=Visibility.choices,
                                   initial=Visibility.PUBLIC, widget=forms.RadioSelect)

    def __init__(self, *args: Any, max_bytes: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if max_bytes:
            self.fields["file"].help_text = _(
                "PDF, PNG, JPEG, WebP, OpenDocument, Microsoft Office or plain text; at "
                "most %(size)s MB.") % {"size": round(max_bytes / 1_048_576, 1)}


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why is it removed?"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    body = forms.CharField(label=_("What did you learn?"), max_length=LESSON_BODY_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 12}), help_text=MARKDOWN_HELP)


class LessonFilterForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), required=False,
                              choices=[("", _("Every topic")), *Topic.choices])
    place = forms.ChoiceField(label=_("Place"), required=False)

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = [("", _("Every chapter")), *places]
