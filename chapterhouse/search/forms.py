"""The search form: the page's and (through `clean_search`) the API's parameters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.errors import Refused

from .selectors import MAX_QUERY_LENGTH, Filters, Query, parse_query
from .sources import SOURCES


def kind_choices() -> list[tuple[str, str]]:
    return [("", str(gettext_lazy("Everything"))),
            *((source.kind, str(source.label)) for source in SOURCES)]


class SearchForm(forms.Form):
    # The length is checked by parse_query, with its own message (the field is
    # not capped, so a long query gets a clear error, not a silently cut one).
    q = forms.CharField(label=gettext_lazy("Search for"), required=False, strip=True)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, choices=kind_choices)
    chapter = forms.CharField(
        label=gettext_lazy("In the chapter (and below it)"), required=False,
        help_text=gettext_lazy("The chapter's address, as in its page's address after /c/."))
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "maxlength": 1000})
        self.query: Query | None = None
        self.filters = Filters()

    def clean_q(self) -> str:
        text: str = self.cleaned_data.get("q", "")
        try:
            self.query = parse_query(text)
        except Refused as error:
            raise forms.ValidationError(str(error)) from None
        return text

    def clean_chapter(self) -> Chapter | None:
        address = (self.cleaned_data.get("chapter") or "").strip().strip("/")
        if not address:
            return None
        if address == "international":
            address = ""
        chapter = Chapter.objects.filter(url_path=address[:400]).first()
        if chapter is None:
            raise forms.ValidationError(_("There is no chapter at this address."))
        return chapter

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        if not self.errors:
            self.filters = Filters(kind=data.get("kind") or "", chapter=data.get("chapter"),
                                   since=since, until=until)
        return data


__all__ = ["MAX_QUERY_LENGTH", "SearchForm"]
