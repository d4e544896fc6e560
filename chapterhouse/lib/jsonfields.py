"""API fields that take a value only in its own JSON type, as the schema says.

DRF reads "0" as false, "12" as 12 and 12 as "12"; an API whose schema says boolean,
integer or string should refuse those instead (a client that sends the wrong type has
a bug it should hear about, and the schemathesis run in CI checks it).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class JSONText(serializers.CharField):
    """Text only as a JSON string."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JSONFlag(serializers.BooleanField):
    """A flag only as JSON true or false."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class JSONWhole(serializers.IntegerField):
    """A whole number only as a JSON integer (not a string, not true or false)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class JSONNumber(serializers.FloatField):
    """A number only as a JSON number (not a string, not true or false)."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)
