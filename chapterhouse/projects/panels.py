"""What the apps above `projects` add to a working group's page (the activity's follow
button), registered from their `AppConfig.ready()`, as chapters.panels does for the
chapter page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Group


@dataclass(frozen=True)
class Panel:
    """`context(request, group)` returns what `template` shows (a constant number of
    queries)."""

    app: str
    template: str
    context: Callable[[HttpRequest, Group], dict[str, Any]]
    order: int = 0


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.app] = panel


def rendered_panels(request: HttpRequest, group: Group) -> list[dict[str, Any]]:
    """Each panel's template and context for the group's page."""
    return [{"template": panel.template, "context": panel.context(request, group)}
            for panel in sorted(_panels.values(), key=lambda p: (p.order, p.app))]
