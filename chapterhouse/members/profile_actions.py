"""What the apps above `members` offer on a member's profile (a button: "Send a
message").

The profile is served here, but the apps that act on a member (private messages)
live above this one, which it may not import (the app layers in pyproject.toml). Each
registers a `ProfileAction` from its `AppConfig.ready()`, as chapters.panels does
for the chapter page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Member


@dataclass(frozen=True)
class ProfileAction:
    """One app's part of the actions on a profile.

    `context(request, member)` returns what `template` shows on the profile of
    `member`, or None to show nothing (the viewer may not act on them); a constant
    number of queries (one at most)."""

    app: str
    template: str
    context: Callable[[HttpRequest, Member], dict[str, Any] | None]


_actions: dict[str, ProfileAction] = {}


def register(action: ProfileAction) -> None:
    """Add (or replace, when an app is loaded again) an app's action."""
    _actions[action.app] = action


def rendered_actions(request: HttpRequest, member: Member) -> list[dict[str, Any]]:
    """Each action's template and context for the profile of `member`, by app."""
    shown = []
    for app in sorted(_actions):
        action = _actions[app]
        context = action.context(request, member)
        if context is not None:
            shown.append({"template": action.template, "context": context})
    return shown
