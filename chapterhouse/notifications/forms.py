from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class EmailPreferencesForm(forms.Form):
    """Which kinds of notice also come by email. Unticked kinds are in-app only."""

    email = forms.MultipleChoiceField(
        label=_("Also send me an email for"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def choices(self) -> dict[str, bool]:
        """Every kind with the member's choice, ready for `set_email_preferences`."""
        ticked = set(self.cleaned_data["email"])
        return {kind.value: kind.value in ticked for kind in Kind}
