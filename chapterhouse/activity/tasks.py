"""Background work of the activity. Tasks take ids, call a service, and are safe to run
twice (the services recompute from the source)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def record_activity(content_type_id: int, object_id: int) -> int:
    return len(services.record_activity(content_type_id=content_type_id, object_id=object_id))


@task()
def refresh_chapter(chapter_id: int) -> int:
    return services.refresh_chapter(chapter_id=chapter_id)
