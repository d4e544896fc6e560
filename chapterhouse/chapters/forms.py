from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chapterhouse.lib.autocomplete import MAX_QUERY_LENGTH, autocomplete_attrs

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
    members_may_announce = forms.BooleanField(
        label=_("Members of this chapter may write announcements"),
        required=False,
        help_text=_("Facilitators always may. An announcement is sent to every member of "
                    "the chapter."),
    )


class MapSearchForm(forms.Form):
    """The map's place search: the one autocomplete over every chapter
    (chapters:search); without JavaScript the page lists the chapters found."""

    q = forms.CharField(
        label=_("Find a place"), required=False, max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({
            **autocomplete_attrs(
                f"{reverse('chapters:search')}?within=international",
                target="#map-search-suggestions", query="q",
            ),
            "aria-controls": "map-search-suggestions",
        })
