"""What a notice says: a message name and its parameters, stored; the text, rendered in
the reader's language each time it is read (the notices page, the unread list, the
email in the member's language).

Each app that tells members something defines its messages in its `notices.py`
(found by NotificationsConfig.ready), so the sentence lives beside the service that
sends it and this app never imports the apps above it:

    define("members.welcome", _("Welcome to %(chapter)s, %(name)s!"))

and its services pass the name and the parameters to `notify()`:

    notify(recipients=[member], kind=Kind.WELCOME, message="members.welcome",
           params={"chapter": place(home), "name": member.display_name})

Parameters are JSON and never rendered text: a plain string is shown as it is (a
person's name, a proposal's title), `place()` keeps a chapter's name in every
language the gazetteer has, `moment()` a time to be formatted in the reader's
language, `choice()` the value of a model's choices shown by its translated label, and
a list is joined. Notices stored before messages (and any whose message is no longer
defined) keep their text in the parameter "text" and show it as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Choices
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext


class Named(Protocol):
    """What place() needs of a chapter (chapters sits above notifications)."""

    name: str
    names: dict[str, str]

    def display_name(self) -> str: ...


@dataclass(frozen=True)
class Message:
    """A sentence with %(name)s parameters: a lazy translation (gettext_lazy), or a
    plural one (ngettext_lazy(singular, plural, "count")), its form chosen by the
    parameter `count`."""

    name: str
    sentence: Promise | str
    choices: Mapping[str, type[Choices]] = field(default_factory=dict)

    def render(self, params: Mapping[str, Any]) -> str:
        values = {key: value if key == "count" else _shown(value, self.choices.get(key))
                  for key, value in params.items()}
        if translation.get_language_bidi():
            # Each name, title and time isolated (FSI … PDI), so a Latin name inside an
            # Arabic sentence keeps its place and its punctuation.
            values = {key: value if key == "count" else f"\u2068{value}\u2069"
                      for key, value in values.items()}
        try:
            return str(self.sentence % values)
        except (KeyError, TypeError, ValueError):
            # A parameter missing from an old notice: what it stored, never a 500.
            return str(params.get("text", ""))


_MESSAGES: dict[str, Message] = {}


def define(name: str, sentence: Promise | str,
           choices: Mapping[str, type[Choices]] | None = None) -> Message:
    """Define the message `name` (an app's notices.py does, once). `choices` names the
    parameters whose stored value is shown by its translated label."""
    if name in _MESSAGES:
        raise ValueError(f"The message {name!r} is defined twice.")
    message = Message(name, sentence, dict(choices or {}))
    _MESSAGES[name] = message
    return message


def is_defined(name: str) -> bool:
    return name in _MESSAGES


def render(name: str, params: Mapping[str, Any]) -> str:
    """The notice's text in the active language."""
    message = _MESSAGES.get(name)
    if message is None:
        return str(params.get("text", ""))
    return message.render(params)


# -- Parameters -------------------------------------------------------------------------


def place(chapter: Named) -> dict[str, Any]:
    """A chapter's name in every site language (the gazetteer's names; International's
    translation)."""
    names = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names[code] = chapter.display_name()
    return {"place": names.get(settings.LANGUAGE_CODE) or chapter.name, "names": names}


def places(chapters: Iterable[Named]) -> list[dict[str, Any]]:
    return [place(chapter) for chapter in chapters]


def moment(when: datetime) -> dict[str, str]:
    """A time, shown in the reader's language and date format."""
    return {"moment": when.isoformat()}


def choice(value: Choices | str) -> str:
    """A choice's value (define() names the choices it belongs to)."""
    return str(getattr(value, "value", value))


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _shown(value: Any, choices: type[Choices] | None = None) -> str:
    if choices is not None and isinstance(value, str):
        try:
            return str(choices(value).label)
        except ValueError:
            return value
    if isinstance(value, list):
        return gettext(", ").join(_shown(item) for item in value)
    if isinstance(value, dict):
        if "place" in value:
            return str(value.get("names", {}).get(_language()) or value["place"])
        if "moment" in value:
            when = datetime.fromisoformat(value["moment"])
            return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")
    return str(value)


# -- Notices stored as text before messages ----------------------------------------------


def parse(text: str) -> tuple[str, dict[str, Any]] | None:
    """The message and parameters a notice stored as rendered text says, if its text is
    one of the defined sentences in a site language; else None. Used once, by the
    migration that turned stored texts into messages: names, titles and times come back
    as the text they were (a chapter's name then shows as it was written, not in the
    reader's language), labels of choices come back as their values."""
    for message in _MESSAGES.values():
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                for count, template in _templates(message):
                    if not re.sub(r"%\(\w+\)s", "", template).strip():
                        continue  # parameters alone: a sentence of nothing to recognise
                    found = _pattern(template).fullmatch(text)
                    if found is None:
                        continue
                    params: dict[str, Any] = dict(found.groupdict())
                    for key, choices in message.choices.items():
                        labels = {str(label): value for value, label in choices.choices}
                        if params.get(key) in labels:
                            params[key] = labels[params[key]]
                    if count is not None:
                        params["count"] = count
                    return message.name, params
    return None


class _Placeholders(dict[str, Any]):
    """Gives back "%(key)s" for every key but `count`: a sentence rendered with it is
    its translation with the parameters left in place."""

    def __missing__(self, key: str) -> str:
        return f"%({key})s"


def _templates(message: Message) -> list[tuple[int | None, str]]:
    one = str(message.sentence % _Placeholders(count=1))
    many = str(message.sentence % _Placeholders(count=2))
    if one == many:
        return [(None, one)]
    return [(1, one), (2, many)]


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = ""
    seen: set[str] = set()
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex += re.escape(part.replace("%%", "%"))
        elif part in seen:
            regex += f"(?P={part})"
        else:
            seen.add(part)
            regex += f"(?P<{part}>.+?)"
    return re.compile(regex, re.S)

