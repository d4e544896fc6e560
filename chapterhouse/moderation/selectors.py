"""Moderation's reads: the facilitators' queue, what is hidden, the public log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib import reportables

from .models import Action, Appeal, Hidden, Report

if TYPE_CHECKING:
    from datetime import datetime

    from chapterhouse.chapters.models import Chapter

REASONS_SHOWN = 5


def target_of(label: str, pk: int) -> tuple[reportables.Reportable, Any] | None:
    """The reportable content `label` #`pk` with its registration, or None."""
    reportable = reportables.get(label)
    if reportable is None:
        return None
    app_label, _, model = label.lower().partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None
    model_class = content_type.model_class()
    if model_class is None:
        return None
    target = (model_class._default_manager.select_related(*reportable.related)
              .filter(pk=pk).first())
    return None if target is None else (reportable, target)


def _targets(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The content at each (content type id, object id): one query per kind."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for type_id, object_id in keys:
        by_type[type_id].add(object_id)
    found: dict[tuple[int, int], Any] = {}
    for type_id, ids in by_type.items():
        content_type = ContentType.objects.get_for_id(type_id)
        model = content_type.model_class()
        reportable = reportables.get(f"{content_type.app_label}.{content_type.model}")
        if model is None or reportable is None:
            continue
        rows = model._default_manager.select_related(*reportable.related).in_bulk(ids)
        for object_id, target in rows.items():
            found[(type_id, object_id)] = target
    return found


@dataclass
class QueueItem:
    """One reported thing in a queue: its kind, an excerpt, where it is, how many
    members reported it and why."""

    content_type: ContentType
    object_id: int
    label: str
    target: Any = None
    excerpt: str = ""
    url: str = ""
    reports: int = 0
    reasons: list[str] = field(default_factory=list)
    first_at: datetime | None = None
    escalated: bool = False
    chapter: Chapter | None = None
    appeal: Appeal | None = None

    @property
    def noun(self) -> str:
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model is not None else self.label


def _describe(item: QueueItem, target: Any) -> None:
    reportable = reportables.get(item.label)
    item.target = target
    if target is not None and reportable is not None:
        item.excerpt = reportables.short(reportable.excerpt(target))
        item.url = reportable.url_of(target)


def open_reports_for(chapter: Chapter, *, now: datetime | None = None) -> QuerySet[Report]:
    """The open reports the facilitators of `chapter` see: those of its own content,
    and those of the chapters below it that waited their chapter's time."""
    now = now or timezone.now()
    return Report.objects.filter(closed_at__isnull=True).filter(
        Q(chapter=chapter)
        | Q(chapter__path__startswith=chapter.path, escalates_at__lte=now)
    )


def queue(chapter: Chapter, *, now: datetime | None = None) -> list[QueueItem]:
    """The reported things of the chapter's queue, oldest report first. A constant
    number of queries: the reports, and the content (one query per kind)."""
    now = now or timezone.now()
    items: dict[tuple[int, int], QueueItem] = {}
    rows = (open_reports_for(chapter, now=now).select_related("chapter")
            .order_by("created_at", "pk"))
    for report in rows:
        key = (report.content_type_id, report.object_id)
        item = items.get(key)
        if item is None:
            content_type = ContentType.objects.get_for_id(report.content_type_id)
            item = items[key] = QueueItem(
                content_type=content_type, object_id=report.object_id,
                label=f"{content_type.app_label}.{content_type.model}",
                first_at=report.created_at, chapter=report.chapter,
                escalated=report.chapter_id != chapter.pk,
            )
        item.reports += 1
        if len(item.reasons) < REASONS_SHOWN:
            item.reasons.append(report.reason)
    targets = _targets(items)
    for key, item in items.items():
        _describe(item, targets.get(key))
    return list(items.values())


def appeals_for(chapter: Chapter) -> list[QueueItem]:
    """The appeals the facilitators of `chapter` decide, oldest first (two queries and
    one per kind of content)."""
    rows = list(Appeal.objects.filter(chapter=chapter, decided_at__isnull=True)
                .select_related("hidden", "hidden__chapter").order_by("created_at", "pk"))
    items = []
    for row in rows:
        content_type = ContentType.objects.get_for_id(row.hidden.content_type_id)
        items.append(QueueItem(
            content_type=content_type, object_id=row.hidden.object_id,
            label=f"{content_type.app_label}.{content_type.model}",
            first_at=row.created_at, chapter=row.hidden.chapter, appeal=row,
        ))
    targets = _targets((item.content_type.pk, item.object_id) for item in items)
    for item in items:
        _describe(item, targets.get((item.content_type.pk, item.object_id)))
    return items


def hidden_of(target: Any) -> Hidden | None:
    """The current hiding of `target`, if it is hidden (with its appeal)."""
    content_type = ContentType.objects.get_for_model(target)
    return (Hidden.objects.filter(content_type=content_type, object_id=target.pk,
                                  restored_at__isnull=True)
            .select_related("appeal").first())


def hidden_among(objects: Iterable[Any]) -> dict[tuple[int, int], Hidden]:
    """The current hidings of `objects` (of any kinds), by (content type id, pk): one
    query whatever their number."""
    keys = {(ContentType.objects.get_for_model(obj).pk, obj.pk) for obj in objects
            if obj is not None and obj.pk is not None}
    if not keys:
        return {}
    condition = Q()
    by_type: dict[int, list[int]] = defaultdict(list)
    for type_id, object_id in keys:
        by_type[type_id].append(object_id)
    for type_id, ids in by_type.items():
        condition |= Q(content_type_id=type_id, object_id__in=ids)
    rows = Hidden.objects.filter(condition, restored_at__isnull=True).select_related("appeal")
    return {(row.content_type_id, row.object_id): row for row in rows}


def open_report_of(target: Any, reporter_id: int) -> Report | None:
    content_type = ContentType.objects.get_for_model(target)
    return Report.objects.filter(content_type=content_type, object_id=target.pk,
                                 reporter_id=reporter_id, closed_at__isnull=True).first()


def open_report_count(target: Any) -> int:
    content_type = ContentType.objects.get_for_model(target)
    return Report.objects.filter(content_type=content_type, object_id=target.pk,
                                 closed_at__isnull=True).count()


def log_of(chapter: Chapter) -> QuerySet[Action]:
    """The chapter's public moderation log, newest first (no content, no names)."""
    return Action.objects.filter(chapter=chapter).order_by("-created_at", "-pk")


def open_reasons(target: Any) -> list[str]:
    content_type = ContentType.objects.get_for_model(target)
    return list(Report.objects.filter(content_type=content_type, object_id=target.pk,
                                      closed_at__isnull=True)
                .order_by("created_at").values_list("reason", flat=True)[:20])


def account_export(member: Any) -> dict[str, Any]:
    """The member's reports and appeals, for their data export (two queries). Reports
    go with the account (their rows cascade); appeals stay with the hiding's record,
    like the decisions on them, without the author once the account is gone."""
    return {
        "moderation_reports": [
            {"content": f"{ContentType.objects.get_for_id(r.content_type_id).app_label}."
                        f"{ContentType.objects.get_for_id(r.content_type_id).model}",
             "object_id": r.object_id, "reason": r.reason,
             "created_at": r.created_at.isoformat(),
             "closed_at": r.closed_at.isoformat() if r.closed_at else None}
            for r in Report.objects.filter(reporter=member).order_by("created_at", "pk")
        ],
        "moderation_appeals": [
            {"hidden_reason": a.hidden.reason, "text": a.text,
             "created_at": a.created_at.isoformat(), "outcome": a.outcome,
             "decision_reason": a.decision_reason}
            for a in Appeal.objects.filter(hidden__author=member).select_related("hidden")
            .order_by("created_at", "pk")
        ],
    }


# The chapter page's moderation panel shows its facilitators how many things wait; the
# count is kept for a minute under a version every new or closed report changes
# (services), as the page's panels share its budget of queries (QUALITY.md).
QUEUE_VERSION_KEY = "moderation:queue"
WAITING_CACHE_SECONDS = 60


def waiting_count(chapter: Chapter) -> int:
    """How many things wait in the chapter's queue (reported, not yet decided)."""
    key = f"moderation:waiting:{chapter.pk}:{lib_cache.version(QUEUE_VERSION_KEY)}"
    found: int = cache.get_or_set(key, lambda: (
        open_reports_for(chapter).values("content_type_id", "object_id").distinct().count()
    ), WAITING_CACHE_SECONDS) or 0
    return found
