from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chapterhouse.chapters.models import Chapter

from .models import DESCRIPTION_MAX_LENGTH, HIDE_REASON_MAX_LENGTH, NAME_MAX_LENGTH, Room


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 2}),
                           strip=False, error_messages={"required": _("Write a message.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["maxlength"] = settings.CHAT_MESSAGE_MAX_LENGTH


class ChapterField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name())


class RoomForm(forms.Form):
    chapter = ChapterField(queryset=Chapter.objects.none(), label=_("Chapter"),
                                     empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH,
                                  required=False, widget=forms.Textarea(attrs={"rows": 2}))
    access = forms.ChoiceField(label=_("Who can join"), choices=Room.Access.choices,
                               initial=Room.Access.PUBLIC, widget=forms.RadioSelect)

    def __init__(self, *args: Any, chapters: list[Chapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chapter"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Chapter.objects.filter(pk__in=[c.pk for c in chapters]).order_by(
            "-depth")


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Member's name"), max_length=120)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why is it hidden?"), max_length=HIDE_REASON_MAX_LENGTH)
