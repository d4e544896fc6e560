"""What the apps above `chapters` add to the member's "My chapters" page: the other
things they belong to beside their chapters (a project's working groups, caucuses).

"My chapters" is served here, but those groups live in apps above this one, which it
may not import (the app layers in pyproject.toml). Each such app registers a
`Memberships` from its `AppConfig.ready()`, as it would a chapters.panels.Panel: a
template shown under the chapters, and the function that gives it its context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from chapterhouse.members.models import Member


@dataclass(frozen=True)
class Memberships:
    """One app's part of "My chapters": `context(request, member)` returns what
    `template` shows for `member`, in a constant number of queries (one, ideally)."""

    app: str
    template: str
    context: Callable[[HttpRequest, Member], dict[str, Any]]


_registered: dict[str, Memberships] = {}


def register(memberships: Memberships) -> None:
    """Add (or replace, when an app is loaded again) an app's memberships."""
    _registered[memberships.app] = memberships


def rendered_memberships(request: HttpRequest, member: Member) -> list[dict[str, Any]]:
    """Each registered app's template and context for `member`, by app label."""
    return [
        {"template": entry.template, "context": entry.context(request, member)}
        for entry in (_registered[app] for app in sorted(_registered))
    ]
