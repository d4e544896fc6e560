"""Which sections a chapter's sub-site shows, who sees them and who posts in them.

Each chapter decides this for itself, by a "rules" decision (decisions'
rules_changes applies it through `services.set_section`). Until it decides, every
section that exists is shown, public, and open to posting by the chapter's members.
The settings are kept on the chapter row (`Chapter.sections`, a small JSON object
keyed by section), so the navigation and the permission rules read them with the
chapter itself, without a query.

The overview, members and decisions are the chapter itself and cannot be turned off;
the sections below can. The section's own page checks `may_view` (section_context
does it); an app's rules use the predicates `chapters.rules.section_visible(key)` and
`section_open_to(key)` for its objects and for adding to the section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chapterhouse.lib.errors import Refused

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

    from .models import Chapter

# The chapter's sections, in the navigation's order (chapters.navigation). An app fills
# a section by adding a URL named here that takes `url_path`; until it exists the
# section is not shown.
SECTIONS: list[tuple[str, Promise, str]] = [
    ("overview", gettext_lazy("Overview"), "chapters:detail"),
    ("members", gettext_lazy("Members"), "members:chapter_members"),
    ("decisions", gettext_lazy("Decisions"), "decisions:chapter"),
    ("forums", gettext_lazy("Forums"), "forums:chapter"),
    ("events", gettext_lazy("Events"), "events:chapter"),
    ("blog", gettext_lazy("Blog"), "blogs:chapter"),
    ("projects", gettext_lazy("Projects"), "projects:chapter"),
    ("resources", gettext_lazy("Resources"), "resources:chapter"),
    ("mutualaid", gettext_lazy("Mutual aid"), "mutualaid:chapter"),
    ("polls", gettext_lazy("Polls"), "polls:chapter"),
    ("dues", gettext_lazy("Dues"), "dues:chapter"),
]

# The sections a chapter may turn off or restrict.
OPTIONAL = ("forums", "events", "blog", "projects", "resources", "mutualaid", "polls")


class Visibility(models.TextChoices):
    PUBLIC = "public", gettext_lazy("everyone")
    MEMBERS = "members", gettext_lazy("the chapter's members only")


class Posting(models.TextChoices):
    MEMBERS = "members", gettext_lazy("the chapter's members")
    FACILITATORS = "facilitators", gettext_lazy("the chapter's facilitators")
    GROUP = "group", gettext_lazy("a working group of the chapter")


@dataclass(frozen=True)
class Setting:
    """One section's setting in one chapter. `group`: the public id of the working
    group whose members post (with the facilitators) when `posting` is "group"."""

    shown: bool = True
    visibility: str = Visibility.PUBLIC
    posting: str = Posting.MEMBERS
    group: str = ""


class Groups(Protocol):
    """The working groups a section's posting may be given to. They live in an app above
    this one (projects), which registers them from its AppConfig.ready()."""

    def resolve(self, chapter: Chapter, text: str) -> tuple[str, str] | None:
        """(public id, name) of the chapter's group named or addressed by `text`."""

    def name(self, public_id: str) -> str | None:
        """The group's name, or None if it is gone."""

    def has_member(self, public_id: str, member: Member) -> bool:
        """Whether `member` is an active member of the group."""


_groups: Groups | None = None


def register_groups(groups: Groups) -> None:
    global _groups
    _groups = groups


def groups() -> Groups | None:
    return _groups


DEFAULT = Setting()


def setting(chapter: Chapter, key: str) -> Setting:
    """The chapter's setting for section `key` (the default when it decided nothing)."""
    stored = (chapter.sections or {}).get(key) if key in OPTIONAL else None
    if not isinstance(stored, dict):
        return DEFAULT
    return Setting(
        shown=bool(stored.get("shown", True)),
        visibility=stored.get("visibility", Visibility.PUBLIC),
        posting=stored.get("posting", Posting.MEMBERS),
        group=str(stored.get("group") or ""),
    )


def shown(chapter: Chapter, key: str) -> bool:
    return setting(chapter, key).shown


def may_view(chapter: Chapter, key: str, *, belongs: bool) -> bool:
    """Whether someone sees the section: it is shown, and public or they belong."""
    found = setting(chapter, key)
    return found.shown and (found.visibility == Visibility.PUBLIC or belongs)


def section_label(key: str) -> str:
    for section_key, label, _url_name in SECTIONS:
        if section_key == key:
            return str(label)
    return key


def clean_change(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A section change as a rules proposal carries it, checked:
    {"section": key, "shown": bool, "visibility": …, "posting": …} (at least one of
    the last three), with "group": the group's public id when posting is "group".
    Raises Refused with a message for the member."""
    unknown = set(payload) - {"section", "shown", "visibility", "posting", "group"}
    if unknown:
        raise Refused(_("Unknown fields in the section change: %(fields)s.")
                      % {"fields": ", ".join(sorted(unknown))})
    key = payload.get("section")
    if key not in OPTIONAL:
        raise Refused(_("Choose one of the sections a chapter can change."))
    change: dict[str, Any] = {"section": key}
    if "shown" in payload:
        if not isinstance(payload["shown"], bool):
            raise Refused(_("Say whether the section is shown."))
        change["shown"] = payload["shown"]
    if "visibility" in payload:
        if payload["visibility"] not in Visibility.values:
            raise Refused(_("Choose who sees the section."))
        change["visibility"] = payload["visibility"]
    if "posting" in payload:
        if payload["posting"] not in Posting.values:
            raise Refused(_("Choose who posts in the section."))
        change["posting"] = payload["posting"]
    if change.get("posting") == Posting.GROUP:
        found = _groups.name(str(payload.get("group") or "")) if _groups else None
        if found is None:
            raise Refused(_("Name the working group whose members post in the section."))
        change["group"] = str(payload["group"])
    elif "group" in payload:
        raise Refused(_("A working group posts only where the section is given to one."))
    if len(change) == 1:
        raise Refused(_("Say what changes in the section."))
    return change
