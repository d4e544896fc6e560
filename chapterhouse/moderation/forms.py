from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import REASON_MAX_LENGTH

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _reason_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=REASON_MAX_LENGTH, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}))


class ReportForm(forms.Form):
    reason = _reason_field(
        _("Why do you report it?"),
        _("Only the facilitators read it. Reporting it again changes your reason."))


class DecisionForm(forms.Form):
    DECISIONS = [("hide", _("Hide it")), ("restore", _("Restore it")),
                 ("dismiss", _("Dismiss the reports"))]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput, required=False)
    reason = _reason_field(
        _("Reason"),
        _("Shown in place of hidden content, told to its author and in the chapter's "
          "public moderation log."))


class AppealForm(forms.Form):
    text = _reason_field(
        _("Why should it be shown again?"),
        _("The facilitators of the chapter above decide. You appeal once."))


class AppealDecisionForm(forms.Form):
    reason = _reason_field(_("Reason"), _("Told to the author and in the public log."))


class SettingsForm(forms.Form):
    escalate_after_hours = forms.IntegerField(
        label=_("Hours a report waits for this chapter's facilitators"),
        min_value=1, max_value=720,
        help_text=_("After this, the facilitators of the chapters above see it too."))
