"""An activity's line in the reader's language, from its kind and stored parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from chapterhouse.decisions.models import Decision

from .models import Activity, Kind


def _outcome(value: str) -> str:
    try:
        return str(Decision.Outcome(value).label)
    except ValueError:
        return value


def line(activity: Activity) -> str:
    """The activity said in the active language, as plain text (the API, Atom)."""
    return _line(activity, lambda value: value)


def html_line(activity: Activity) -> SafeString:
    """The same line for a page: escaped, each name and title isolated (<bdi>), so that a
    title in one direction keeps its place in a sentence in the other."""
    said = _line(activity, lambda value: format_html("<bdi>{}</bdi>", value), conditional_escape)
    return mark_safe(said)  # noqa: S308 - every part escaped above


# Each kind's line, said in the reader's language when it is read.
LINES: dict[str, str] = {
    Kind.PROPOSAL: gettext_noop("New proposal in %(chapter)s: %(title)s"),
    Kind.DECISION: gettext_noop("%(chapter)s decided: %(title)s (%(outcome)s)"),
    Kind.EVENT: gettext_noop("New event in %(chapter)s: %(title)s"),
    Kind.EVENT_HELD: gettext_noop("%(chapter)s held an event: %(title)s"),
    Kind.BLOG_POST: gettext_noop("New blog post in %(chapter)s: %(title)s"),
    Kind.LESSON: gettext_noop("%(chapter)s shared a lesson: %(title)s"),
    Kind.ANNOUNCEMENT: gettext_noop("Announcement from %(chapter)s: %(title)s"),
    Kind.AID_REQUEST: gettext_noop("Mutual-aid request in %(chapter)s: %(title)s"),
    Kind.TASK_DONE: gettext_noop("%(group)s (%(chapter)s) finished a task: %(title)s"),
}


def _line(activity: Activity, value: Callable[[str], str],
          sentence: Callable[[str], str] = str) -> str:
    """The kind's line with `value` applied to each parameter and `sentence` to the
    translated line around them."""
    params = activity.params
    values = {key: value(text) for key, text in (
        ("chapter", activity.chapter.display_name()), ("title", str(params.get("title", ""))),
        ("group", str(params.get("group", ""))),
        ("outcome", _outcome(str(params.get("outcome", "")))))}
    message = LINES.get(activity.kind)
    return sentence(gettext(message)) % values if message else values["title"]


@dataclass(frozen=True)
class Item:
    """One line of a list: what it says, where it links, when, and whether it is new
    since the member's last visit."""

    id: int
    kind: str
    text: str
    url: str
    happened_at: datetime
    chapter_name: str
    is_new: bool = False
    # The first line already seen after new ones: the "since your last visit" divider.
    seen_from_here: bool = False


def items(activities: list[Activity], *, since: datetime | None = None) -> list[Item]:
    """The lines of `activities` (newest first); those after `since` are new."""
    found = []
    previous_new = False
    for a in activities:
        is_new = since is not None and a.happened_at > since
        found.append(Item(id=a.pk, kind=a.kind, text=html_line(a),
                          url=str(a.params.get("url", "")), happened_at=a.happened_at,
                          chapter_name=a.chapter.display_name(), is_new=is_new,
                          seen_from_here=previous_new and not is_new))
        previous_new = is_new
    return found
