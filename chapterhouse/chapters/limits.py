"""How much a new member may post: a chapter's newcomer limits.

A member is *new* until they have taken part for a while: while their account is
younger than `days` days, or while they have made fewer than `posts` contributions
(forum posts and comments, events, mutual-aid entries, chat messages: whatever the
apps register below). A new member may post at most `posts_per_hour` times an hour
(all their contributions, wherever they are) and put at most `links_per_post` links
(http(s) addresses and bare www. ones) in one post.

The limits are the chapter's rules: a "rules" decision carrying
{"newcomer_limits": {"posts_per_hour": 3, "links_per_post": 1, "days": 7, "posts": 5}}
(any of the four) changes them (decisions' rules_changes applies it through
`services.set_newcomer_limits`). They are kept on the chapter row
(`Chapter.newcomer_limits`), as the sections' settings are. The limits of content
posted in a chapter are those of the nearest chapter up the tree that set any, else
DEFAULT.

The content apps call `check(member=…, chapter=…, text=…)` in the services that create
content (so the web, the API and replies by email all obey) and register a counter of
their member's contributions from their AppConfig.ready() with `register_counter`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chapterhouse.lib.errors import Refused

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

    from .models import Chapter

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    """A chapter's newcomer limits (see the module docstring)."""

    posts_per_hour: int = 3
    links_per_post: int = 1
    days: int = 7
    posts: int = 5


# The limits shipped, where no chapter up the tree set any. DEFAULT is what applies
# there (the test suite turns it off for tests about other things: its personas are
# all new members).
STANDARD = Limits()
DEFAULT = STANDARD

# Each field's bounds, for a decision's payload: (lowest, highest).
BOUNDS: dict[str, tuple[int, int]] = {
    "posts_per_hour": (1, 100),
    "links_per_post": (0, 50),
    "days": (0, 365),
    "posts": (0, 1000),
}
FIELDS = tuple(BOUNDS)


class NewcomerLimited(Refused):
    """A new member's post over the chapter's newcomer limits."""


# A counter: (member, since, most) → the creation times of the member's contributions
# of one kind made at `since` or later (None: ever), newest first, at most `most`.
Counter = Callable[["Member", "datetime | None", int], list[datetime]]

_counters: dict[str, Counter] = {}


def register_counter(label: str, counter: Counter) -> None:
    """Count one kind of contribution (an app calls it from its AppConfig.ready())."""
    _counters[label] = counter


def counters() -> dict[str, Counter]:
    return dict(_counters)


_LINK = re.compile(r"(?:\bhttps?://|(?<![\w./@-])www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)


def count_links(text: str) -> int:
    """The links in `text`: http(s) addresses and bare www. ones."""
    return len(_LINK.findall(text or ""))


def _from_stored(stored: Any) -> Limits:
    values = {key: stored[key] for key in FIELDS
              if isinstance(stored.get(key), int) and not isinstance(stored[key], bool)}
    return replace(STANDARD, **values)


def own_limits(chapter: Chapter) -> Limits | None:
    """The limits `chapter` itself set (None: it set none)."""
    stored = chapter.newcomer_limits
    return _from_stored(stored) if stored and isinstance(stored, dict) else None


def limits_for(chapter: Chapter | None) -> Limits:
    """The limits that apply to content posted in `chapter`: its own, or those of the
    nearest chapter above it that set any, or DEFAULT (at most one query)."""
    if chapter is None:
        return DEFAULT
    found = own_limits(chapter)
    if found is not None:
        return found
    from .models import Chapter

    rows = (Chapter.objects.containing(chapter).exclude(pk=chapter.pk)
            .order_by("-depth").values_list("newcomer_limits", flat=True))
    for stored in rows:
        if stored and isinstance(stored, dict):
            return _from_stored(stored)
    return DEFAULT


def _times(member: Member, since: datetime | None, most: int) -> list[datetime]:
    """The member's contributions of every kind since `since`, newest first (at most
    `most` of each kind)."""
    found: list[datetime] = []
    for counter in _counters.values():
        found.extend(counter(member, since, most))
    return sorted(found, reverse=True)


def is_newcomer(member: Member, limits: Limits, *, now: datetime | None = None) -> bool:
    """Whether `member` is still new under `limits` (one query per kind of contribution
    once their account is old enough; none before)."""
    now = now or timezone.now()
    if limits.days > 0 and member.joined_at > now - timedelta(days=limits.days):
        return True
    if limits.posts <= 0:
        return False
    return len(_times(member, None, limits.posts)) < limits.posts


_lifted: ContextVar[bool] = ContextVar("newcomer_limits_lifted", default=False)


@contextmanager
def lifted() -> Iterator[None]:
    """No newcomer limits inside: for the demo's seeding, which writes months of a
    chapter's life at once in its members' names (never for a member's request)."""
    token = _lifted.set(True)
    try:
        yield
    finally:
        _lifted.reset(token)


def check(*, member: Member, chapter: Chapter | None, text: str = "", hourly: bool = True,
          now: datetime | None = None) -> None:
    """Refuse (NewcomerLimited, with a message for the member) a new member's post in
    `chapter` with too many links in `text`, or (`hourly`: a new post, not an edit) one
    more post than the hour allows.
    Call it inside the transaction that stores the post, before storing anything (it
    locks the member's row when they are new)."""
    if _lifted.get():
        return
    now = now or timezone.now()
    limits = limits_for(chapter)
    if not is_newcomer(member, limits, now=now):
        return
    links = count_links(text)
    if links > limits.links_per_post:
        if limits.links_per_post == 0:
            message = _("New members cannot put links in a post yet (this one has %(found)s).")
        else:
            message = ngettext(
                "New members can put at most %(limit)s link in a post (this one has "
                "%(found)s).",
                "New members can put at most %(limit)s links in a post (this one has "
                "%(found)s).",
                limits.links_per_post)
        raise NewcomerLimited(message % {"limit": limits.links_per_post, "found": links})
    if not hourly:
        return
    # The member's row, locked (inside the caller's transaction): two posts at once
    # cannot both pass the count.
    apps.get_model("members", "Member").objects.select_for_update().filter(
        pk=member.pk).first()
    recent = _times(member, now - HOUR, limits.posts_per_hour)
    if len(recent) >= limits.posts_per_hour:
        again = recent[limits.posts_per_hour - 1] + HOUR
        minutes = max(1, math.ceil((again - now).total_seconds() / 60))
        how_often = ngettext("New members can post %(limit)s time an hour.",
                             "New members can post %(limit)s times an hour.",
                             limits.posts_per_hour) % {"limit": limits.posts_per_hour}
        when = ngettext("You can post again in %(minutes)s minute.",
                        "You can post again in %(minutes)s minutes.",
                        minutes) % {"minutes": minutes}
        raise NewcomerLimited(f"{how_often} {when}")


def clean_change(payload: Any) -> dict[str, int]:
    """The newcomer limits a rules proposal carries ({"newcomer_limits": {…}}'s value),
    checked: a mapping of at least one of FIELDS to a whole number within its bounds.
    Raises Refused with a message for the member."""
    if not isinstance(payload, Mapping):
        raise Refused(_("Give the newcomer limits as fields and numbers."))
    unknown = set(payload) - set(FIELDS)
    if unknown:
        raise Refused(_("Unknown fields in the newcomer limits: %(fields)s.")
                      % {"fields": ", ".join(sorted(str(key) for key in unknown))})
    if not payload:
        raise Refused(_("Say which newcomer limit changes."))
    change: dict[str, int] = {}
    for key in FIELDS:
        if key not in payload:
            continue
        value = payload[key]
        low, high = BOUNDS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise Refused(_("%(limit)s must be a whole number from %(low)s to %(high)s.")
                          % {"limit": label(key), "low": low, "high": high})
        change[key] = value
    return change


def label(key: str) -> str:
    """A limit's name in words."""
    return {
        "posts_per_hour": _("Posts an hour for new members"),
        "links_per_post": _("Links in a post for new members"),
        "days": _("Days an account stays new"),
        "posts": _("Posts before a member is no longer new"),
    }.get(key, key)


def as_dict(limits: Limits) -> dict[str, int]:
    return asdict(limits)
