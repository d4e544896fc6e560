"""Who may see and change a member's profile."""

from __future__ import annotations

import rules

from chapterhouse.lib.interface import Viewer

from .models import Member


@rules.predicate
def is_profile_owner(viewer: Viewer, member: Member) -> bool:
    own = viewer.member
    return own is not None and own.pk == member.pk


@rules.predicate
def profile_is_visible(viewer: Viewer, member: Member) -> bool:
    return member.visible_to(viewer.member)


rules.add_perm("members.see_profile", profile_is_visible)
rules.add_perm("members.edit_profile", is_profile_owner)
