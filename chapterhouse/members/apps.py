from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "chapterhouse.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        # allauth offers no adapter hook for a new second factor, only this signal; the
        # receiver is an interface like a view: it calls one service.
        authenticator_added.connect(
            _second_factor_added, dispatch_uid="members.revoke_api_tokens_on_mfa"
        )


def _second_factor_added(sender: Any, user: Any, **kwargs: Any) -> None:
    """A token made with a password alone would bypass the new second factor: end them."""
    from . import services

    services.revoke_api_tokens(user=user)
