"""What members may report to the moderators, and how the moderators find it.

Moderation (`chapterhouse.moderation`) sits above the apps whose content it hides,
which may not import it (the app layers in pyproject.toml). Each such app registers
a `Reportable` from its `AppConfig.ready()`, as chapters.panels and
discussions.subjects are registered:

    reportables.register(reportables.Reportable(
        label="discussions.post", chapter_of=..., excerpt=..., author_of=...,
    ))

Hiding is moderation's own row (moderation.models.Hidden), not a field of the content:
the apps' templates show "Hidden by the facilitators: <reason>" in its place with
moderation's template tags (`{% load moderation %}`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, Model, OuterRef

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member


def _absolute_url(obj: Any) -> str:
    return str(obj.get_absolute_url())


@dataclass(frozen=True)
class Reportable:
    """One kind of content members may report.

    `label` is the model's "app_label.modelname"; `chapter_of(obj)` the chapter whose
    facilitators moderate it (None: only staff); `excerpt(obj)` a short plain text the
    moderators read; `author_of(obj)` the member told of a decision (None: nobody);
    `url_of(obj)` where it is shown; `view` the permission that sees it (None: anyone),
    on `view_on(obj)` (the object itself, or what holds it: a post's thread), which a
    reporter must have. `related` is what `select_related` loads with a
    batch of them, so that chapter_of, author_of and url_of make no query."""

    label: str
    chapter_of: Callable[[Any], Chapter | None]
    excerpt: Callable[[Any], str]
    author_of: Callable[[Any], Member | None]
    url_of: Callable[[Any], str] = _absolute_url
    view: str | None = None
    view_on: Callable[[Any], Any] = lambda obj: obj
    related: tuple[str, ...] = field(default_factory=tuple)


_reportables: dict[str, Reportable] = {}


def register(reportable: Reportable) -> None:
    """Add (or replace, when an app is loaded again) a kind of reportable content."""
    _reportables[reportable.label.lower()] = reportable


def get(label: str) -> Reportable | None:
    """The registered reportable of `label` ("app_label.modelname"), if any."""
    return _reportables.get(label.lower())


def labels() -> list[str]:
    return sorted(_reportables)


def short(text: str, limit: int = 200) -> str:
    """`text` on one line, cut to `limit` characters (an excerpt)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def hidden_now(model: type[Model]) -> Exists:
    """An annotation for a list of `model` that cannot afford a query more: whether each
    row is hidden by the facilitators now (moderation's Hidden rows, named by label as
    this module sits below moderation). Without the reason: a page that shows it asks
    moderation's template tags."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    hidden = apps.get_model("moderation", "Hidden")
    return Exists(hidden.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"),
        restored_at__isnull=True,
    ))


def hidden_reasons(objects: Any) -> dict[int, str]:
    """The facilitators' reasons for those of `objects` (one model) hidden now, by pk:
    one query whatever their number (none for no objects)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    items = [obj for obj in objects if obj is not None and obj.pk is not None]
    if not items:
        return {}
    hidden = apps.get_model("moderation", "Hidden")
    rows = hidden.objects.filter(
        content_type=ContentType.objects.get_for_model(items[0]),
        object_id__in=[obj.pk for obj in items], restored_at__isnull=True,
    ).values_list("object_id", "reason")
    return dict(rows)
