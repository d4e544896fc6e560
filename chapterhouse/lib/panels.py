"""Parts of a page that apps above the page's own app add to it (a registry).

A page served by a lower app (the chapter page by `chapters`, the member's home by
`members`, a working group's page by `projects`) shows what apps above it offer, which
it may not import (the app layers in pyproject.toml). The page's app makes one
`Panels` for the page; each app above registers a `Panel` from its
`AppConfig.ready()`: a template included in the page, and the function that gives it
its context for the page's subject (a chapter's chain, a member, a group).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from django.http import HttpRequest

Subject = TypeVar("Subject")


@dataclass(frozen=True)
class Panel(Generic[Subject]):
    """One app's part of a page: `context(request, subject)` returns what `template`
    shows, in a constant number of queries whatever the subject holds (one, ideally).
    Panels show in `order`, then by app."""

    app: str
    template: str
    context: Callable[[HttpRequest, Subject], dict[str, Any]]
    order: int = 0


class Panels(Generic[Subject]):
    """The panels of one page."""

    def __init__(self) -> None:
        self._panels: dict[str, Panel[Subject]] = {}

    def register(self, panel: Panel[Subject]) -> None:
        """Add (or replace, when an app is loaded again) an app's panel."""
        self._panels[panel.app] = panel

    def panels(self) -> list[Panel[Subject]]:
        """Every registered panel, in a fixed order."""
        return sorted(self._panels.values(), key=lambda panel: (panel.order, panel.app))

    def rendered(self, request: HttpRequest, subject: Subject) -> list[dict[str, Any]]:
        """Each panel's template and context, for the page's `include`s."""
        return [{"template": panel.template, "context": panel.context(request, subject)}
                for panel in self.panels()]
