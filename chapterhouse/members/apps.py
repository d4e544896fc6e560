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
        # However a login ends (the admin's "active" box, account deletion, a script),
        # its open sockets close: receivers, like the one above, that call one service.
        from django.db.models.signals import post_delete, post_save

        from .models import User

        post_save.connect(_user_saved, sender=User, dispatch_uid="members.close_sockets_saved")
        post_delete.connect(_user_deleted, sender=User,
                            dispatch_uid="members.close_sockets_deleted")
        # The member's own parts of every page (base.html), filled in for each member
        # when the page comes from the cache (lib.pagecache).
        from chapterhouse.lib import pagecache

        pagecache.register_hole("site.menu_badges", pagecache.template_hole("_menu_badges.html"))
        pagecache.register_hole("site.member_links",
                                pagecache.template_hole("_member_links.html"))
        # Members report a profile to the facilitators of its home chapter (moderation).
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="members.member", chapter_of=lambda member: member.home_chapter,
            excerpt=lambda member: f"{member.display_name}\n{member.bio}",
            author_of=lambda member: member, view="members.see_profile",
            related=("home_chapter",),
        ))


def _second_factor_added(sender: Any, user: Any, **kwargs: Any) -> None:
    """A token made with a password alone would bypass the new second factor: end them."""
    from . import services

    services.revoke_api_tokens(user=user)


def _user_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A deactivated login's open sockets close (any save of an inactive login: rare)."""
    if not created and not instance.is_active and not kwargs.get("raw"):
        from . import services

        services.close_live_sockets(user_id=instance.pk)


def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from . import services

    services.close_live_sockets(user_id=instance.pk)
