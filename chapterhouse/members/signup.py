"""allauth's signup form, made one transaction, and as slow for a known address.

allauth saves the user before calling our `SignupForm.signup()`; wrapping the
whole save means a failure while making the member leaves no orphan account.
(Kept apart from members.forms, which allauth imports while building this base.)

With an address that already has an account, allauth makes no user (it mails the
owner instead), so it never hashes the password: that answer came back ten times
faster than a real sign-up, telling anyone which addresses are registered. The
password is hashed and thrown away on that path too.

A refused form never makes the person retype what was right: passwords that were
not themselves refused are kept in the form shown again (over HTTPS, in the page
that answers their own POST). Without JavaScript, "Show its regions" submits the
form only to list the chosen country's regions: no account is attempted and no
error is shown, only what to do next.
"""

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.db import transaction

PASSWORDS = ("password1", "password2")


class AtomicSignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth is untyped
    def full_clean(self) -> None:
        super().full_clean()  # members.forms.LocationForm: "Show its regions" refuses all
        refused = any(name in self._errors for name in PASSWORDS)
        for name in PASSWORDS:
            if name in self.fields:
                self.fields[name].widget.render_value = self.is_bound and not refused

    def save(self, request: Any) -> Any:
        with transaction.atomic():
            return super().save(request)

    def try_save(self, request: Any) -> Any:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")  # as set_password would
        return super().try_save(request)
