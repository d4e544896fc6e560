"""Objecting to a weight of a proposal, and settling held weights."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from chapterhouse.members.models import Member

from .. import selectors
from ..models import Proposal, WeightObjection

Target = WeightObjection.Target


def weight_choices(proposal: Proposal) -> list[tuple[str, str]]:
    """The weights one may object to: the default weight, each group, each stake."""
    choices = [(Target.DEFAULT.value, str(gettext_lazy("The default weight of 1 (%(chapter)s)")
                                          % {"chapter": proposal.chapter.display_name()}))]
    for group in proposal.affected_groups.select_related("chapter").order_by("chapter__path"):
        choices.append((f"group:{group.chapter.url_path}",
                        f"{group.chapter.display_name()} — {group.weight}"))
    for stake in selectors.stakes(proposal):
        choices.append((f"stake:{stake.member.public_id}",
                        str(gettext_lazy("Stake declared by %(name)s — %(weight)s")
                            % {"name": stake.member.display_name, "weight": stake.weight})))
    return choices


class ObjectionForm(forms.Form):
    weight = forms.ChoiceField(label=gettext_lazy("The weight you object to"))
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.fields["weight"].choices = weight_choices(proposal)  # type: ignore[attr-defined]

    def target(self) -> dict[str, Any]:
        """The service's arguments naming the weight: target, chapter, stake_member."""
        value: str = self.cleaned_data["weight"]
        kind, _sep, key = value.partition(":")
        if kind == Target.GROUP:
            group = next((g for g in self.proposal.affected_groups.select_related("chapter")
                          if g.chapter.url_path == key), None)
            return {"target": kind, "chapter": group.chapter if group else None}
        if kind == Target.STAKE:
            return {"target": kind,
                    "stake_member": Member.objects.filter(public_id=key).first()}
        return {"target": Target.DEFAULT}


class SettleNoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note for the record"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
