from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, TASK_TITLE_MAX_LENGTH, Group, Task


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("Kind"), choices=Group.Kind.choices,
                             initial=Group.Kind.WORKING_GROUP)
    joining = forms.ChoiceField(label=_("Membership"), choices=Group.Joining.choices,
                                initial=Group.Joining.OPEN, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.org), lists and "
                    "headings. HTML is not allowed."),
    )


class MemberChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _assignee_field(members: Any) -> MemberChoiceField:
    return MemberChoiceField(label=_("Assigned to"), queryset=members, required=False,
                             to_field_name="public_id", empty_label=_("nobody"))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=TASK_TITLE_MAX_LENGTH)
    due_date = forms.DateField(label=_("Due"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = _assignee_field(members)


class AssignForm(forms.Form):
    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = _assignee_field(members)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class MemberForm(forms.Form):
    """A member of the group or a requester, by public id (the buttons beside each)."""

    member = forms.UUIDField(widget=forms.HiddenInput)
