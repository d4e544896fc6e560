"""What the apps above `members` hold about a member, for the member's data export
and the deletion of their account.

`members` owns the export (/me/export/) and the deletion (/me/delete/), but the
posts, proposals, amendments, stakes and ballots live in apps above it, which it may
not import (the app layers in pyproject.toml). Each of those apps tells `members`
what it holds by registering a `Holding` from its `AppConfig.ready()`: the export
sections it adds (each app knows its own secrecy rules: decisions exports no link
between a member and a secret ballot) and, where it has any, the member's writing
that may be removed when they leave. Nothing here runs by itself: the members
selector and service call these explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Member


@dataclass(frozen=True)
class Holding:
    """One app's part of a member's data.

    `export(member)` returns the app's sections of the export, by name; a constant
    number of queries whatever the member wrote. `remove_writing(member)`, if set,
    removes what the member wrote where the organisation's record does not need it
    (inside the deletion's transaction, before the account goes); returns how many
    items it removed. `remove_on_deletion(member)`, if set, removes what the member
    wrote to a few people rather than to the organisation (private messages, chat) at
    every deletion, whatever they chose about their posts (in the same transaction);
    returns how many items it removed.
    """

    app: str
    export: Callable[[Member], dict[str, Any]]
    remove_writing: Callable[[Member], int] | None = None
    remove_on_deletion: Callable[[Member], int] | None = None


_holdings: dict[str, Holding] = {}


def register(holding: Holding) -> None:
    """Add (or replace, when an app is loaded again) an app's holding."""
    _holdings[holding.app] = holding


def holdings() -> list[Holding]:
    """Every registered holding, in a fixed order (by app label)."""
    return [_holdings[app] for app in sorted(_holdings)]
