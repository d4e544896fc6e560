"""Events for tests, made through the real services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from chapterhouse.events import services
from chapterhouse.events.models import Event


def soon(days: int = 3, hour: int = 18) -> datetime:
    """A start a few days ahead, on the hour, in UTC."""
    base = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return (base + timedelta(days=days)).replace(hour=hour)


def make_event(*, chapter: Any = None, author: Any, title: str = "Picnic",
               starts_at: datetime | None = None, hours: int = 2, **fields: Any) -> Event:
    starts_at = starts_at or soon()
    fields.setdefault("time_zone", "UTC")
    return services.create_event(
        chapter=chapter or author.home_chapter, author=author,
        fields=services.EventFields(title=title, starts_at=starts_at,
                                    ends_at=starts_at + timedelta(hours=hours), **fields),
    )
