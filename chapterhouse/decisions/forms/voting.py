"""The ballot form of every method, and dissent and receipt forms of the record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import presenters
from ..models import Method

# -- Voting ----------------------------------------------------------------------------------


BLANK = "__blank__"


class BallotForm(forms.Form):
    """The ballot of one vote, built for its method and options.

    majority/supermajority: yes/no/abstain; consent and consensus: their choices with
    a reason where required; plurality: one option (or blank); approval: checkboxes;
    score: a 0–5 select per option; ranked (Schulze, instant runoff): a rank select per
    option (blank = unranked). `ballot()` gives what the voting package expects.
    """

    def __init__(self, *args: Any, method: str, options: Sequence[tuple[str, str]],
                 needs_receipt: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method = method
        self.options = list(options)
        self.ranked = method in presenters.RANKED_METHODS
        if method in presenters.CHOICES:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Your vote"), widget=forms.RadioSelect,
                choices=[(c, presenters.CHOICE_LABELS[c]) for c in presenters.CHOICES[method]],
                error_messages={"required": _("Choose how you vote.")},
            )
            if method in presenters.REASON_REQUIRED:
                needs = ", ".join(str(presenters.CHOICE_LABELS[c]).lower()
                                  for c in presenters.CHOICES[method]
                                  if c in presenters.REASON_REQUIRED[method])
                self.fields["reason"] = forms.CharField(
                    label=_("Your reason"), required=False, max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=_("Required for: %(choices)s. It is published with the result.")
                    % {"choices": needs},
                )
        elif method == Method.PLURALITY:
            self.fields["option"] = forms.ChoiceField(
                label=_("Your choice"), widget=forms.RadioSelect,
                choices=[*self.options, (BLANK, _("Blank ballot (counts for turnout only)"))],
                error_messages={"required": _("Choose an option, or a blank ballot.")},
            )
        elif method == Method.APPROVAL:
            self.fields["approve"] = forms.MultipleChoiceField(
                label=_("Options you approve of"), required=False,
                widget=forms.CheckboxSelectMultiple, choices=self.options,
            )
        elif method == Method.SCORE:
            for key, label in self.options:
                self.fields[f"score_{key}"] = forms.TypedChoiceField(
                    label=label, required=False, coerce=int, empty_value=None,
                    choices=[("", "—"), *[(i, str(i)) for i in range(presenters.MAX_SCORE + 1)]],
                )
        elif self.ranked:
            count = len(self.options)
            for key, label in self.options:
                self.fields[f"rank_{key}"] = forms.TypedChoiceField(
                    label=label, required=False, coerce=int, empty_value=None,
                    choices=[("", "—"), *[(i, str(i)) for i in range(1, count + 1)]],
                )
        if needs_receipt:
            self.fields["receipt"] = forms.CharField(
                label=_("Your receipt code"), max_length=100,
                help_text=_("The code you were shown when you first voted. Without it a "
                            "secret ballot cannot be changed."),
                error_messages={"required": _("Give your receipt code to change your ballot.")},
            )

    @classmethod
    def initial_for(cls, method: str, ballot: Mapping[str, Any] | None) -> dict[str, Any]:
        if not ballot:
            return {}
        if "choice" in ballot:
            return {"choice": ballot["choice"], "reason": ballot.get("reason", "")}
        if "option" in ballot:
            return {"option": ballot["option"]}
        if "approve" in ballot:
            return {"approve": list(ballot["approve"])}
        if "scores" in ballot:
            return {f"score_{k}": v for k, v in ballot["scores"].items()}
        if "ranking" in ballot:
            return {f"rank_{k}": i for i, k in enumerate(ballot["ranking"], start=1)}
        return {}

    def rank_fields(self) -> list[forms.BoundField]:
        return [self[f"rank_{key}"] for key, _label in self.options] if self.ranked else []

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{key}"] for key, _label in self.options] \
            if self.method == Method.SCORE else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if self.method in presenters.REASON_REQUIRED and data.get("choice") in \
                presenters.REASON_REQUIRED[self.method] and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for “%(choice)s”: it is published with "
                                       "the result.")
                           % {"choice": presenters.CHOICE_LABELS[data["choice"]]})
        if self.ranked:
            by_rank: dict[int, list[str]] = {}
            for key, label in self.options:
                rank = data.get(f"rank_{key}")
                if rank is not None:
                    by_rank.setdefault(rank, []).append(label)
            for rank, labels in sorted(by_rank.items()):
                if len(labels) > 1:
                    self.add_error(None, _("%(options)s all have rank %(rank)s: give each "
                                           "option its own rank.")
                                   % {"options": ", ".join(labels), "rank": rank})
        return data

    def ballot(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.method in presenters.CHOICES:
            ballot: dict[str, Any] = {"choice": data["choice"]}
            reason = (data.get("reason") or "").strip()
            if reason and self.method in presenters.REASON_REQUIRED:
                ballot["reason"] = reason
            return ballot
        if self.method == Method.PLURALITY:
            return {} if data["option"] == BLANK else {"option": data["option"]}
        if self.method == Method.APPROVAL:
            return {"approve": list(data.get("approve") or [])}
        if self.method == Method.SCORE:
            return {"scores": {key: data[f"score_{key}"] for key, _l in self.options
                               if data.get(f"score_{key}") is not None}}
        ranked = sorted(
            ((data[f"rank_{key}"], index, key) for index, (key, _l) in enumerate(self.options)
             if data.get(f"rank_{key}") is not None)
        )
        return {"ranking": [key for _rank, _index, key in ranked]}


class DissentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your dissent"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Published with the record, under your name. Markdown."),
        error_messages={"required": gettext_lazy("Write your dissent.")},
    )


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=gettext_lazy("Receipt code"), max_length=100)
