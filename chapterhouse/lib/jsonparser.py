"""The API's JSON parser: deep nesting is a 400 with a message.

Python's json module recurses once per level: 100,000 nested brackets raise
RecursionError (a 500), and a few thousand that do parse make everything after
it recurse as deep. No request body of ours nests more than a few levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


def _too_deep(value: Any, limit: int) -> bool:
    """Whether `value` nests lists or objects more than `limit` levels (no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        message = _("The JSON is nested too deeply (at most %(depth)s levels).") % {
            "depth": MAX_JSON_DEPTH
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        if _too_deep(data, MAX_JSON_DEPTH):
            raise ParseError(message)
        return data
