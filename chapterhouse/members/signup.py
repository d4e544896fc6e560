"""allauth's signup form, made one transaction.

allauth saves the user before calling our `SignupForm.signup()`; wrapping the
whole save means a failure while making the member leaves no orphan account.
(Kept apart from members.forms, which allauth imports while building this base.)
"""

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.db import transaction


class AtomicSignupForm(AllauthSignupForm):  # type: ignore[misc]  # allauth is untyped
    def save(self, request: Any) -> Any:
        with transaction.atomic():
            return super().save(request)
