"""allauth's signup form, made one transaction, and as slow for a known address.

allauth saves the user before calling our `SignupForm.signup()`; wrapping the
whole save means a failure while making the member leaves no orphan account.
(Kept apart from members.forms, which allauth imports while building this base.)

With an address that already has an account, allauth makes no user (it mails the
owner instead), so it never hashes the password: that answer came back ten times
faster than a real sign-up, telling anyone which addresses are registered. The
password is hashed and thrown away on that path too.
"""

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.db import transaction


class AtomicSignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth is untyped
    def save(self, request: Any) -> Any:
        with transaction.atomic():
            return super().save(request)

    def try_save(self, request: Any) -> Any:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")  # as set_password would
        return super().try_save(request)
