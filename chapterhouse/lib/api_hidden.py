"""Content hidden by the facilitators, over the REST API as on the pages.

A page shows "Hidden by the facilitators: <reason>" in place of hidden content, and the
content itself only to its author (moderation's template tags). An API serializer of a
reportable kind does the same with `HiddenAware`: every item carries `hidden` (null, or
`{"reason": …}`), and the fields it names in `hidden_fields` are emptied for everyone
but the author. A list reads the hidings of its whole page in one query
(`HiddenAwareList`); one item in one query.

    class EntrySerializer(HiddenAware, serializers.ModelSerializer[Entry]):
        hidden_fields = ("title", "description")

        class Meta:
            list_serializer_class = HiddenAwareList
            fields = [..., "hidden"]
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Manager, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import reportables
from .interface import viewer_of

_REASONS = "_hidden_reasons"


class HidingSerializer(serializers.Serializer[Any]):
    """Why the facilitators hid this (the content is left out for all but its author)."""

    reason = serializers.CharField()


class HiddenAwareList(serializers.ListSerializer[Any]):
    """A page of items with the hidings of all of them read in one query."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if isinstance(data, Manager | QuerySet) else data)
        child = cast(HiddenAware, self.child)
        child.context[_REASONS] = reportables.hidden_reasons(
            child.hidden_target(item) for item in items)
        return super().to_representation(items)


class HiddenAware(serializers.Serializer[Any]):
    """Adds `hidden` and empties `hidden_fields` of hidden items for all but the author
    (a dotted name reaches into a nested item: "event.title")."""

    hidden_fields: tuple[str, ...] = ()

    def hidden_target(self, obj: Any) -> Any:
        """The reportable thing `obj` shows (itself; an event's occurrence: its event)."""
        return obj
    hidden = serializers.SerializerMethodField(help_text=gettext_lazy(
        "Null, or why the facilitators hid this; its text is then left out "
        "for everyone but its author."))

    @extend_schema_field(HidingSerializer(allow_null=True))
    def get_hidden(self, obj: Any) -> dict[str, str] | None:
        reason = self._reason(self.hidden_target(obj))
        return None if reason is None else {"reason": reason}

    def _reason(self, obj: Any) -> str | None:
        reasons = self.context.get(_REASONS)
        if reasons is None:
            reasons = reportables.hidden_reasons([obj])
        found: str | None = reasons.get(obj.pk)
        return found

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if data.get("hidden") is None or not self.hidden_fields:
            return data
        request = self.context.get("request")
        member = viewer_of(request).member if request is not None else None
        target = self.hidden_target(instance)
        reportable = reportables.get(target._meta.label_lower)
        author = reportable.author_of(target) if reportable is not None else None
        if member is None or author is None or author.pk != member.pk:
            for name in self.hidden_fields:
                *outer, last = name.split(".")
                holder = data
                for step in outer:
                    holder = holder.get(step) or {}
                if last in holder:
                    holder[last] = "" if isinstance(holder[last], str) else None
        return data
