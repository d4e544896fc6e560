from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from chapterhouse.lib.autocomplete import autocomplete_attrs

from . import services
from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Thread

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BODY_HELP = _(
    "Markdown: **bold**, *italic*, [links](https://example.org), lists and > quotes. "
    "HTML is not allowed. Type @ and a name to mention a member."
)


def _body_field(label: StrOrPromise | None = None) -> forms.CharField:
    # No max_length here: the limit is checked on the text with newlines normalised
    # (services.clean_body), as the browser's maxlength counts them.
    return forms.CharField(
        label=label or _("Message"),
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "maxlength": BODY_MAX_LENGTH,
                # Members to mention are suggested as "@name" is typed.
                **autocomplete_attrs(
                    reverse_lazy("discussions:mentions"), mention=True, delay_ms=200
                ),
            }
        ),
        help_text=BODY_HELP,
        error_messages={"required": _("Write a message.")},
    )


def _validate(cleaner: Callable[[str], str], value: str, field: str) -> str:
    try:
        return cleaner(value)
    except ValidationError as error:
        raise ValidationError(error.message_dict.get(field, error.messages)) from None


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": _("Give the thread a title.")},
    )
    body = _body_field()

    def clean_title(self) -> str:
        return _validate(services.clean_title, self.cleaned_data["title"], "title")

    def clean_body(self) -> str:
        return _validate(services.clean_body, self.cleaned_data["body"], "body")


class _InThread(forms.Form):
    """A form whose body suggests members to mention, those of `thread` first."""

    def __init__(self, *args: Any, thread: Thread | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if thread is not None:
            self.fields["body"].widget.attrs["hx-vals"] = json.dumps(
                {"thread": str(thread.public_id)})


class PostForm(_InThread):
    body = _body_field(_("Your reply"))
    # The public id of the post answered or quoted, if any.
    reply_to = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_body(self) -> str:
        return _validate(services.clean_body, self.cleaned_data["body"], "body")


class EditPostForm(_InThread):
    body = _body_field()

    def clean_body(self) -> str:
        return _validate(services.clean_body, self.cleaned_data["body"], "body")

