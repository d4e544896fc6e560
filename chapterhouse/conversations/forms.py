"""The forms of private messages: a new conversation (recipients chosen with the one
autocomplete, or typed by name without JavaScript), a reply, a report."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.lib.autocomplete import autocomplete_attrs
from chapterhouse.members.models import Member
from chapterhouse.members.selectors import members_named

from .models import Message

# How many recipient fields the new-conversation form shows.
RECIPIENT_FIELDS = 4


def quote_of(message: Message) -> str:
    """What quoting `message` puts into the reply box (Markdown)."""
    author = message.author.display_name if message.author else _("A former member")
    lines = [f"> {line}" if line else ">" for line in message.body.splitlines()]
    return _("%(name)s wrote:") % {"name": author} + "\n" + "\n".join(lines) + "\n\n"


class ImageField(forms.FileField):
    """A file that services checks and re-encodes (lib.images): only images."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"})


class ReplyForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Message"), required=False,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=gettext_lazy("Markdown: **bold**, *italic*, > quote, lists."))
    image = ImageField(label=gettext_lazy("Image (optional)"), required=False,
                       help_text=gettext_lazy("JPEG, PNG, GIF or WebP. Only images can be "
                                              "attached; they are re-encoded."))


class NewConversationForm(ReplyForm):
    subject = forms.CharField(label=gettext_lazy("Subject (optional)"), max_length=200,
                              required=False)
    field_order = ["subject", *[f"to_{i}" for i in range(RECIPIENT_FIELDS)], "body", "image"]

    def __init__(self, *args: Any, author: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.author = author
        search = reverse("members:search")
        for i in range(RECIPIENT_FIELDS):
            attrs = {**autocomplete_attrs(search, query="q", code=f"#id_to_{i}_id"),
                     "autocomplete": "off"}
            self.fields[f"to_{i}"] = forms.CharField(
                label=_("To") if i == 0 else _("And to (optional)"),
                required=i == 0, max_length=200, widget=forms.TextInput(attrs=attrs),
                error_messages={"required": _("Choose a member to write to.")},
            )
            self.fields[f"to_{i}_id"] = forms.CharField(required=False,
                                                        widget=forms.HiddenInput)
        self.order_fields(self.field_order)

    def recipient_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"to_{i}"], self[f"to_{i}_id"]) for i in range(RECIPIENT_FIELDS)]

    def _resolve(self, name: str, code: str) -> Member | None:
        """The member a field names: by the code a chosen suggestion left (their public
        id), else by the name typed (it must name exactly one member)."""
        if code:
            try:
                found = Member.objects.active().select_related("user").filter(
                    public_id=uuid.UUID(code)).first()
            except ValueError:
                found = None
            if found is not None and found.display_name == name:
                return found
        candidates = [member for member in members_named(name, near=self.author, limit=20)
                      if member.display_name.casefold() == name.casefold()]
        if not candidates:
            raise forms.ValidationError(
                _("No member is called “%(name)s”. Type the start of a name and choose "
                  "from the suggestions.") % {"name": name})
        if len(candidates) > 1:
            raise forms.ValidationError(
                _("Several members are called “%(name)s”. Choose one from the suggestions.")
                % {"name": name})
        return candidates[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        recipients: list[Member] = []
        for i in range(RECIPIENT_FIELDS):
            name = " ".join((data.get(f"to_{i}") or "").split())
            if not name:
                continue
            try:
                member = self._resolve(name, (data.get(f"to_{i}_id") or "").strip())
            except forms.ValidationError as error:
                self.add_error(f"to_{i}", error)
                continue
            if member is not None:
                recipients.append(member)
        data["recipients"] = recipients
        return data


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you report this message?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The moderators read it with the message. "
                               "The author is not told who reported it."),
    )
