"""The one autocomplete: a text field that suggests as the member types.

- The field carries `autocomplete_attrs(url)`: htmx asks `url` as the member types
  and puts the answer into the suggestion list that follows the field (a
  `<ul class="suggestions" role="listbox">`).
- The endpoint renders the partial `_suggestions.html` with `Suggestion`s, each
  saying what choosing it puts into the field (and, if the field names one, into a
  hidden field beside it: a code that picks exactly that thing).
- static/js/autocomplete.js lets a suggestion be chosen by click or keyboard, and
  for a `mention` field sends only the "@name" being typed. Choosing fires
  `chapterhouse:chosen` on the field (detail: the option) for a page that fills or
  does more at once (location.js: the city's region; map.js: shows the chapter).

Without JavaScript the field is a plain text field that the form resolves by name
(or, for mentions, a link to a search page); it may also carry a `<datalist>` for
browsers without JavaScript, which autocomplete.js takes off. Endpoints: places:cities
(location form), chapters:search (decisions' pickers, the map's place search) and
members:search (decisions' pickers), discussions:mentions. A template that writes the
field by hand (decisions/_chapter_input.html) carries the same attributes as
`autocomplete_attrs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# What a query may be at most; longer ones are cut.
MAX_QUERY_LENGTH = 80


@dataclass(frozen=True)
class Suggestion:
    value: str  # what choosing it puts into the field
    label: str  # what the list shows
    detail: str = ""  # shown after the label, muted
    code: str = ""  # put into the field's hidden companion (autocomplete_attrs(code=…))
    data: Mapping[str, str] = field(default_factory=dict)  # more data-* attributes


def autocomplete_attrs(
    url: Any, *, target: str = "next .suggestions", include: str | None = None,
    code: str | None = None,
    query: str | None = None, mention: bool = False, delay_ms: int = 250,
) -> dict[str, Any]:
    """The attributes of a field that suggests from `url`.

    The answer goes into `target` (by default the next suggestion list). The
    field's value goes under its own name, or under `query` if given (e.g. "q");
    `include` names other fields to send (htmx hx-include); `code` is the selector
    of a hidden field that a chosen suggestion's code fills (and typing clears);
    a `mention` field (a textarea) asks only about the "@name" before the caret.
    """
    attrs: dict[str, Any] = {
        "hx-get": url,
        "hx-trigger": f"input changed delay:{delay_ms}ms, search",
        "hx-target": target,
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
        "aria-autocomplete": "list",
        "data-autocomplete": "mention" if mention else "",
        # Not what a surrounding htmx form says about its own request (which button
        # to disable while it posts, what to confirm, which indicator to show).
        "hx-disabled-elt": "unset",
        "hx-confirm": "unset",
        "hx-indicator": "unset",
        # Suggestions are not a page of their own, whatever the form's requests push.
        "hx-push-url": "false",
    }
    if include:
        attrs["hx-include"] = include
    if code:
        attrs["data-autocomplete-code"] = code
    if query or mention:
        attrs["data-autocomplete-query"] = query or "q"
    return attrs


def query_of(request: HttpRequest, name: str = "q") -> str:
    """The query typed, cut to MAX_QUERY_LENGTH."""
    return request.GET.get(name, "")[:MAX_QUERY_LENGTH]


def render_suggestions(
    request: HttpRequest, suggestions: list[Suggestion], *, empty: str = "", **context: Any
) -> HttpResponse:
    """The suggestion list (`empty`: what to say when there is none, if anything)."""
    return render(
        request, "_suggestions.html", {**context, "suggestions": suggestions, "empty": empty}
    )
