"""Background indexing. Tasks take ids, call the indexer, and are safe to run twice
(they write what the rows say now)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def index_object(label_lower: str, pk: str) -> bool:
    """(Re)index one object, or drop its entry if it is gone."""
    return services.index_object(label_lower=label_lower, pk=pk)


@task()
def index_chapter(chapter_id: int) -> int:
    """The chapter itself and everything of it (its sections' visibility may have
    changed, so the audience of its content)."""
    services.index_object(label_lower="chapters.chapter", pk=str(chapter_id))
    return services.index_chapter_content(chapter_id=chapter_id)


@task()
def index_objects(label_lower: str, pks: list[str]) -> int:
    """(Re)index several objects of one model."""
    return services.index_pks(label_lower=label_lower, pks=pks)
