"""What the apps above `chapters` add to the chapter page (its overview).

The chapter page is served here, but what other apps show on it (a chapter's
announcements) lives in apps above this one, which it may not import (the app layers
in pyproject.toml). Each such app registers a `Panel` from its `AppConfig.ready()`:
a template included in the page's main column, and the function that gives it its
context. As members.account_data does for the member's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .selectors import ChapterChain


@dataclass(frozen=True)
class Panel:
    """One app's part of the chapter page.

    `context(request, found)` returns what `template` shows, for the chapter
    `found.chapter` (with its ancestors, `found.chain`); a constant number of queries
    (one, ideally), whatever the chapter holds. Panels show in `order`, then by app.
    The page is cached whole for signed-out visitors (lib.pagecache): a panel whose
    content must show them at once forgets the chapter's page when it changes.
    """

    app: str
    template: str
    context: Callable[[HttpRequest, ChapterChain], dict[str, Any]]
    order: int = 0


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Add (or replace, when an app is loaded again) an app's panel."""
    _panels[panel.app] = panel


def panels() -> list[Panel]:
    """Every registered panel, in a fixed order."""
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.app))


def rendered_panels(request: HttpRequest, found: ChapterChain) -> list[dict[str, Any]]:
    """Each panel's template and context for the chapter page."""
    return [
        {"template": panel.template, "context": panel.context(request, found)}
        for panel in panels()
    ]
