"""Who may see and change a member's profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from chapterhouse.lib.interface import Viewer

from .models import Member

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def member_of(user: AbstractBaseUser | AnonymousUser | None) -> Member | None:
    """The Member behind a request's user, or None (anonymous, or staff without a profile)."""
    if user is None or not user.is_authenticated:
        return None
    member: Member | None = getattr(user, "member", None)
    return member


@rules.predicate
def is_profile_owner(viewer: Viewer, member: Member) -> bool:
    own = viewer.member
    return own is not None and own.pk == member.pk


@rules.predicate
def profile_is_visible(viewer: Viewer, member: Member) -> bool:
    return member.visible_to(viewer.member)


rules.add_perm("members.see_profile", profile_is_visible)
rules.add_perm("members.edit_profile", is_profile_owner)
