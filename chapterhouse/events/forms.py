"""The event forms (plain forms: they work without JavaScript)."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chapterhouse.decisions.presenters import CHOICE_LABELS, category_label, method_label
from chapterhouse.voting.params import CHOICES

from . import recurrence
from .models import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    MINUTES_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    RRULE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from .services import MAX_CAPACITY, EventFields

CUSTOM = recurrence.CUSTOM
MAX_COUNT = recurrence.MAX_COUNT
REPEAT_CHOICES = [("", _("Does not repeat")), *recurrence.REPEATS,
                  (CUSTOM, _("Another rule, written below"))]

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.org), lists and "
                    "headings. HTML is not allowed."),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_LOCAL)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_LOCAL)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64,
        help_text=_("The start and end are times in this zone (such as Europe/London)."))
    address = forms.CharField(label=_("Address"), max_length=ADDRESS_MAX_LENGTH, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90,
                                max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180,
                                 max_value=180)
    online_url = forms.URLField(label=_("Online link"), required=False, max_length=200,
                                assume_scheme="https")
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=0, max_value=MAX_CAPACITY,
        help_text=_("Leave empty for no limit. When it is full, members who want to go "
                    "join a waiting list."))
    repeat = forms.ChoiceField(label=_("Repeats"), required=False, choices=REPEAT_CHOICES)
    repeat_count = forms.IntegerField(
        label=_("How many times in all"), required=False, min_value=2, max_value=MAX_COUNT,
        help_text=_("Leave both this and the last day empty for an event without end."))
    repeat_until = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    recurrence = forms.CharField(
        label=_("Another rule (RFC 5545)"), max_length=RRULE_MAX_LENGTH, required=False,
        help_text=_("Only with “Another rule”: for example FREQ=WEEKLY;BYDAY=TU,TH for "
                    "every Tuesday and Thursday."))
    is_public = forms.BooleanField(
        label=_("Public: anyone may see it, and it is in the chapter's calendar feed"),
        required=False, initial=True)
    remind_hours = forms.IntegerField(
        label=_("Remind those going (hours before)"), min_value=0, max_value=336, initial=24)

    def clean_time_zone(self) -> str:
        zone: str = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(
                _("%(zone)s is not a time zone such as Europe/London.") % {"zone": zone}
            ) from None
        return zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = data.get("time_zone")
        if zone:
            # The browser sends wall-clock times: they are times in the event's zone.
            for name in ("starts_at", "ends_at"):
                value: datetime | None = data.get(name)
                if value is not None:
                    data[name] = value.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        if starts is not None:
            self._compose_rule(data, starts)
        return data

    def _compose_rule(self, data: dict[str, Any], starts: datetime) -> None:
        """The chosen repetition as the RFC 5545 rule the services store."""
        repeat = data.get("repeat") or ""
        count, until = data.get("repeat_count"), data.get("repeat_until")
        if repeat == CUSTOM:
            if not data.get("recurrence"):
                self.add_error("recurrence", _("Write the rule, or choose how it repeats."))
            return
        if not repeat:
            if count or until:
                self.add_error("repeat", _("Choose how the event repeats."))
            data["recurrence"] = ""
            return
        if count and until:
            self.add_error("repeat_until", _("Give how many times or the last day, not both."))
            return
        if until is not None and until < starts.date():
            self.add_error("repeat_until", _("The last day cannot be before the first."))
            return
        data["recurrence"] = recurrence.compose(repeat, starts, count=count, until=until)

    def fields_value(self) -> EventFields:
        data = self.cleaned_data
        return EventFields(
            title=data["title"], description=data["description"],
            starts_at=data["starts_at"], ends_at=data["ends_at"], time_zone=data["time_zone"],
            address=data["address"], latitude=data["latitude"], longitude=data["longitude"],
            online_url=data["online_url"], capacity=data["capacity"],
            recurrence=data["recurrence"], is_public=data["is_public"],
            remind_before=timedelta(hours=data["remind_hours"]),
        )

    @classmethod
    def initial_for(cls, event: Any) -> dict[str, Any]:
        zone = event.zone
        return {
            "title": event.title, "description": event.description,
            "starts_at": event.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": event.ends_at.astimezone(zone).replace(tzinfo=None),
            "time_zone": event.time_zone, "address": event.address,
            "latitude": event.latitude, "longitude": event.longitude,
            "online_url": event.online_url, "capacity": event.capacity,
            **recurrence.choices_for(event.recurrence, event.starts_at.astimezone(zone)),
            "is_public": event.is_public,
            "remind_hours": int(event.remind_before.total_seconds() // 3600),
        }


class SettingsForm(forms.Form):
    members_may_create = forms.BooleanField(
        label=_("Every member of this chapter may create events (not only its facilitators)"),
        required=False)
    shows_subchapter_events = forms.BooleanField(
        label=_("Show the events of the chapters below on this chapter's calendar"),
        required=False)


# -- Meetings -----------------------------------------------------------------------------


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=TITLE_MAX_LENGTH)
    notes = forms.CharField(label=_("Notes"), max_length=NOTES_MAX_LENGTH, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    proposal = forms.CharField(
        label=_("Proposal (optional)"), max_length=300, required=False,
        help_text=_("The address or the id of a proposal of this chapter."))


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"), max_length=MINUTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.org), lists and "
                    "headings. HTML is not allowed."),
    )


_COUNT_LINE = re.compile(r"^(?P<label>.+?)\s*[:=]\s*(?P<count>\S+)$")


class MeetingVoteForm(forms.Form):
    """A vote taken at the meeting: what was decided and the counts, one per line
    ("yes: 12" for a yes/no vote, "The park: 4" for a choice between options)."""

    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("What was decided (title)"), max_length=200)
    text = forms.CharField(label=_("The text voted on"), max_length=50_000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    counts = forms.CharField(
        label=_("Counts, one per line"), max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("A choice or an option, a colon, and how many voted for it: “yes: 12”."),
    )
    attendance = forms.IntegerField(label=_("How many attended"), min_value=1)
    counted_by = forms.CharField(label=_("Counted by"), max_length=200)

    def __init__(self, *args: Any, rules: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (category, f"{category_label(category)} — {method_label(rule.method)}")
            for category, rule in rules.items()
        ]
        self.category_help = [
            (category_label(category), method_label(rule.method),
             [str(CHOICE_LABELS.get(c, c)) for c in CHOICES.get(rule.method, ())])
            for category, rule in rules.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        rule = self.rules.get(data.get("category", ""))
        if rule is None or not data.get("counts"):
            return data
        choices = CHOICES.get(rule.method, ())
        # A choice by its key ("yes") or its label in the reader's language ("Sí").
        names = {c.casefold(): c for c in choices}
        names.update({str(CHOICE_LABELS.get(c, c)).casefold(): c for c in choices})
        counts: dict[str, int] = {}
        for line in str(data["counts"]).splitlines():
            line = line.strip()
            if not line:
                continue
            match = _COUNT_LINE.match(line)
            if match is None or not match.group("count").isdigit():
                self.add_error("counts", gettext("“%(line)s” is not “choice: number”.")
                               % {"line": line})
                return data
            label = match.group("label").strip()
            if choices:
                if label.casefold() not in names:
                    self.add_error("counts", gettext("“%(label)s” is not a choice here; the "
                                                     "choices are %(choices)s.")
                                   % {"label": label, "choices": ", ".join(
                                       str(CHOICE_LABELS.get(c, c)) for c in choices)})
                    return data
                label = names[label.casefold()]
            if label in counts:
                self.add_error("counts", gettext("“%(label)s” is counted twice.")
                               % {"label": label})
                return data
            counts[label] = int(match.group("count"))
        data["counts"] = counts
        return data
