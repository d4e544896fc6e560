"""Repeating events: an RFC 5545 RRULE read in the event's own zone, expanded in a
window and never further than MAX_OCCURRENCES at a time.

Pure logic about one event's dates (no queries): the selectors give it the event and
its changes. A rule finer than daily (HOURLY, MINUTELY, SECONDLY) is refused: it would
expand to millions of dates and is no one's meeting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chapterhouse.lib.errors import Refused

if TYPE_CHECKING:
    from .models import Event, OccurrenceChange

# The most occurrences one expansion returns (a list page, a feed, a check).
MAX_OCCURRENCES = 500
# The most a stored rule may say in COUNT (an endless rule is fine: it is read in windows).
MAX_COUNT = 1000

_ALLOWED = re.compile(r"^[A-Z0-9=;,:+\-]+$")


class RecurrenceError(Refused):
    """A repeating rule that cannot be stored."""


# The repetitions the event form offers in words; each is a rule read from the start
# (its weekday, its day of the month). "Another rule" takes a rule as written.
CUSTOM = "custom"
REPEATS = [
    ("daily", gettext_lazy("Every day")),
    ("weekly", gettext_lazy("Every week, on the same weekday")),
    ("fortnightly", gettext_lazy("Every two weeks, on the same weekday")),
    ("monthly_day", gettext_lazy("Every month, on the same day")),
    ("monthly_weekday", gettext_lazy("Every month, on the same weekday (such as the "
                                     "second Tuesday)")),
]
_FREQUENCIES = {"daily": "FREQ=DAILY", "weekly": "FREQ=WEEKLY",
                "fortnightly": "FREQ=WEEKLY;INTERVAL=2", "monthly_day": "FREQ=MONTHLY"}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _week_of_month(start: datetime) -> int:
    """1 to 4 for the first to fourth such weekday of the month; -1 for a fifth (the
    last: not every month has a fifth)."""
    week = (start.day - 1) // 7 + 1
    return -1 if week == 5 else week


def compose(repeat: str, start: datetime, *, count: int | None = None,
            until: date | None = None) -> str:
    """The rule for a repetition chosen in words, from `start` (in the event's zone):
    "weekly" from a Tuesday is FREQ=WEEKLY, "monthly_weekday" from the second Tuesday
    is FREQ=MONTHLY;BYDAY=2TU. `until`, a last day in the event's zone, ends the rule at
    the end of that day (in UTC, as RFC 5545 wants with a zoned start)."""
    if repeat == "monthly_weekday":
        rule = f"FREQ=MONTHLY;BYDAY={_week_of_month(start)}{_WEEKDAYS[start.weekday()]}"
    else:
        rule = _FREQUENCIES[repeat]
    if count:
        rule += f";COUNT={count}"
    elif until is not None:
        last = datetime.combine(until, time(23, 59, 59), tzinfo=start.tzinfo)
        rule += f";UNTIL={last.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return rule


def _parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)


def _repeat_of(rule: str, start: datetime) -> str | None:
    """The repetition in words a stored rule is, or None for another rule."""
    parts = _parts(rule)
    ending = {key: parts.pop(key) for key in ("COUNT", "UNTIL") if key in parts}
    if len(ending) > 1:
        return None
    for repeat in ("daily", "weekly", "fortnightly", "monthly_day", "monthly_weekday"):
        if parts == _parts(compose(repeat, start)):
            return repeat
    return None


def choices_for(rule: str, start: datetime) -> dict[str, object]:
    """The event form's repeat fields for a stored rule (from its start, in its zone)."""
    if not rule:
        return {"repeat": "", "recurrence": ""}
    repeat = _repeat_of(rule, start)
    if repeat is None:
        return {"repeat": CUSTOM, "recurrence": rule}
    parts = _parts(rule)
    choices: dict[str, object] = {"repeat": repeat, "recurrence": ""}
    if parts.get("COUNT", "").isdigit():
        choices["repeat_count"] = int(parts["COUNT"])
    elif "UNTIL" in parts:
        try:
            last = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return {"repeat": CUSTOM, "recurrence": rule}
        choices["repeat_until"] = last.astimezone(start.tzinfo).date()
    return choices


def describe(rule: str, start: datetime) -> str:
    """The rule in the reader's words ("Every week on Tuesday, 4 times"); another rule
    is shown as written."""
    repeat = _repeat_of(rule, start)
    if repeat is None:
        return _("By the rule %(rule)s") % {"rule": rule}
    weekday = date_format(start, "l")
    if repeat == "daily":
        text = _("Every day")
    elif repeat == "weekly":
        text = _("Every week on %(weekday)s") % {"weekday": weekday}
    elif repeat == "fortnightly":
        text = _("Every two weeks on %(weekday)s") % {"weekday": weekday}
    elif repeat == "monthly_day":
        text = _("Every month on day %(day)s") % {"day": start.day}
    elif _week_of_month(start) == -1:
        text = _("Every month on its last %(weekday)s") % {"weekday": weekday}
    else:
        text = _("Every month on %(weekday)s of its week %(week)s") % {
            "weekday": weekday, "week": _week_of_month(start)}
    parts = _parts(rule)
    if parts.get("COUNT", "").isdigit():
        count = int(parts["COUNT"])
        return ngettext("%(repeats)s, %(count)s time in all",
                        "%(repeats)s, %(count)s times in all", count) % {
            "repeats": text, "count": count}
    if "UNTIL" in parts:
        try:
            last = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return text
        return _("%(repeats)s, until %(day)s") % {
            "repeats": text, "day": date_format(last.astimezone(start.tzinfo).date())}
    return text


def clean_rule(text: str) -> str:
    """The rule as stored ("FREQ=WEEKLY;BYDAY=TU"), or RecurrenceError. Accepts the
    rule with or without its "RRULE:" prefix; one RRULE only (no RDATE, EXRULE…)."""
    rule = "".join((text or "").split()).upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    if not rule:
        return ""
    if not _ALLOWED.match(rule) or "FREQ=" not in rule or ":" in rule:
        raise RecurrenceError(_("The repeat rule is not an RFC 5545 rule such as "
                                "FREQ=WEEKLY;BYDAY=TU."))
    try:
        parsed = rrulestr(rule, dtstart=datetime(2000, 1, 1, tzinfo=UTC))
    except (ValueError, TypeError, KeyError, IndexError):
        raise RecurrenceError(_("The repeat rule is not an RFC 5545 rule such as "
                                "FREQ=WEEKLY;BYDAY=TU.")) from None
    if not isinstance(parsed, rrule):
        raise RecurrenceError(_("Give one repeat rule only."))
    # dateutil keeps the parts it read private: read them from the rule it accepted.
    parts = dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)
    if parts.get("FREQ") in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise RecurrenceError(_("An event repeats at most daily."))
    count = int(parts["COUNT"]) if parts.get("COUNT", "").isdigit() else None
    if count is not None and count > MAX_COUNT:
        raise RecurrenceError(_("An event repeats at most %(count)s times; leave the "
                                "count out for an event without end.") % {"count": MAX_COUNT})
    return rule


def rule_for(rule: str, start: datetime, zone: ZoneInfo) -> rrule:
    """The rule expanded from `start` in `zone` (wall-clock times kept across daylight
    saving). RecurrenceError if it cannot be read from that start (UNTIL not in UTC)."""
    try:
        parsed = rrulestr(rule, dtstart=start.astimezone(zone))
    except (ValueError, TypeError) as error:
        raise RecurrenceError(
            _("The repeat rule cannot be read: %(error)s") % {"error": error}) from None
    assert isinstance(parsed, rrule)
    return parsed


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event: its original start (the key of its answers and of
    its change), when it happens, and whether it is cancelled."""

    event: Event
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    title: str
    cancelled: bool
    changed: bool

    @property
    def key(self) -> str:
        return self.original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def make_occurrence(event: Event, original: datetime,
          changes: dict[datetime, OccurrenceChange]) -> Occurrence:
    original = original.astimezone(UTC)
    change = changes.get(original)
    starts = change.starts_at if change is not None and change.starts_at else original
    ends = (change.ends_at if change is not None and change.ends_at
            else starts + event.duration)
    return Occurrence(
        event=event, original_start=original, starts_at=starts, ends_at=ends,
        title=(change.title if change is not None and change.title else event.title),
        cancelled=event.is_cancelled or (change is not None and change.cancelled),
        changed=change is not None,
    )


def originals(event: Event, after: datetime, before: datetime,
              limit: int = MAX_OCCURRENCES) -> list[datetime]:
    """The original starts of `event` from `after` to `before` (at most `limit`)."""
    if not event.recurrence:
        return [event.starts_at] if after <= event.starts_at <= before else []
    rule = rule_for(event.recurrence, event.starts_at, event.zone)
    found = []
    for when in rule.xafter(after.astimezone(event.zone), count=limit, inc=True):
        if when > before:
            break
        found.append(when.astimezone(UTC))
    return found


def occurrences(event: Event, changes: Iterable[OccurrenceChange], after: datetime,
                before: datetime, limit: int = MAX_OCCURRENCES) -> list[Occurrence]:
    """The occurrences of `event` that end after `after` and start before `before`,
    in start order, changes applied (a moved occurrence is where it was moved to), at
    most `limit`."""
    by_original = {change.original_start.astimezone(UTC): change for change in changes}
    found: dict[datetime, Occurrence] = {}
    for original in originals(event, after - event.duration, before, limit):
        occurrence = make_occurrence(event, original, by_original)
        if occurrence.ends_at > after and occurrence.starts_at < before:
            found[original] = occurrence
    for original, change in by_original.items():
        # Moved into the window from outside it.
        if original in found or change.starts_at is None:
            continue
        if change.starts_at < before and (change.ends_at or change.starts_at) > after \
                and is_occurrence(event, original):
            found[original] = make_occurrence(event, original, by_original)
    return sorted(found.values(), key=lambda o: (o.starts_at, o.original_start))[:limit]


def is_occurrence(event: Event, original: datetime) -> bool:
    """Whether `original` is a start the event's rule gives (its own start if it does
    not repeat)."""
    original = original.astimezone(UTC)
    if not event.recurrence:
        return original == event.starts_at.astimezone(UTC)
    rule = rule_for(event.recurrence, event.starts_at, event.zone)
    found = rule.after(original.astimezone(event.zone) - timedelta(seconds=1), inc=True)
    return found is not None and found.astimezone(UTC) == original


def parse_key(value: str) -> datetime | None:
    """An occurrence key (20260107T190000Z) as a UTC datetime, or None."""
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None
