from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16, "dir": "auto"}),
        help_text=_(
            "Markdown: **bold**, *italic*, [links](https://example.org), lists and headings. "
            "HTML is not allowed."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["title"].widget.attrs["dir"] = "auto"


class BlogSettingsForm(forms.Form):
    members_may_write = forms.BooleanField(
        label=_("Every member of this chapter may write in its blog"), required=False,
        help_text=_("Otherwise only the chapter's facilitators write in it."),
    )
