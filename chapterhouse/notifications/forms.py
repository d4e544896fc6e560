from typing import Any

from django import forms

from .models import Delivery, Kind


class EmailPreferencesForm(forms.Form):
    """How each kind of notice also reaches the member by email: not at all, an email
    for each notice, or a daily or weekly digest. One field per kind, `kind_<value>`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[f"kind_{kind.value}"] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, required=True)

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"kind_{kind.value}"] for kind in Kind]

    def choices(self) -> dict[str, str]:
        """Every kind with the member's choice, ready for `set_email_preferences`."""
        return {kind.value: self.cleaned_data[f"kind_{kind.value}"] for kind in Kind}


def initial_for(chosen: dict[Kind, Delivery]) -> dict[str, str]:
    return {f"kind_{kind.value}": delivery.value for kind, delivery in chosen.items()}

