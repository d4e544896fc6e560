"""An activity's line in the reader's language, from its kind and stored parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


def _line(activity: Activity, value: Callable[[str], str],
          sentence: Callable[[str], str] = str) -> str:
    params = activity.params
    values = {key: value(str(text)) for key, text in (
        ("chapter", activity.chapter.display_name()), ("title", params.get("title", "")),
        ("group", params.get("group", "")))}

    def _(message: str) -> str:
        return sentence(gettext(message))
    kind = activity.kind
    if kind == Kind.PROPOSAL:
        return _("New proposal in %(chapter)s: %(title)s") % values
    if kind == Kind.DECISION:
        return _("%(chapter)s decided: %(title)s (%(outcome)s)") % {
            **values, "outcome": value(_outcome(str(params.get("outcome", ""))))}
    if kind == Kind.EVENT:
        return _("New event in %(chapter)s: %(title)s") % values
    if kind == Kind.EVENT_HELD:
        return _("%(chapter)s held an event: %(title)s") % values
    if kind == Kind.BLOG_POST:
        return _("New blog post in %(chapter)s: %(title)s") % values
    if kind == Kind.LESSON:
        return _("%(chapter)s shared a lesson: %(title)s") % values
    if kind == Kind.ANNOUNCEMENT:
        return _("Announcement from %(chapter)s: %(title)s") % values
    if kind == Kind.AID_REQUEST:
        return _("Mutual-aid request in %(chapter)s: %(title)s") % values
    if kind == Kind.TASK_DONE:
        return _("%(group)s (%(chapter)s) finished a task: %(title)s") % values
    return str(values["title"])


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
