"""What the apps above `members` add to the member's home page (their dashboard).

The home page is served here, but what other apps show on it (the activity feed of
the member's chapters) lives in apps above this one, which it may not import (the app
layers in pyproject.toml). Each such app registers a `Panel` from its
`AppConfig.ready()`: a template included in the page, and the function that gives it
its context. As chapters.panels does for the chapter page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Member


@dataclass(frozen=True)
class Panel:
    """One app's part of the member's home page. `context(request, member)` returns what
    `template` shows; a constant number of queries whatever the member follows."""

    app: str
    template: str
    context: Callable[[HttpRequest, Member], dict[str, Any]]
    order: int = 0


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Add (or replace, when an app is loaded again) an app's panel."""
    _panels[panel.app] = panel


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.app))


def rendered_panels(request: HttpRequest, member: Member) -> list[dict[str, Any]]:
    """Each panel's template and context for the member's home page."""
    return [{"template": panel.template, "context": panel.context(request, member)}
            for panel in panels()]
