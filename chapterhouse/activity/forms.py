from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PULSE_KINDS


class PulseFilterForm(forms.Form):
    """The "what chapters are doing" filters: a place (a chapter's address) and a kind."""

    place = forms.CharField(label=_("Place"), required=False, max_length=400,
                            help_text=_("A chapter's address, e.g. gb/eng/london: it and "
                                        "the chapters below it."))
    kind = forms.ChoiceField(label=_("What"), required=False,
                             choices=[("", _("Everything"))]
                             + [(kind.value, kind.label) for kind in PULSE_KINDS])
