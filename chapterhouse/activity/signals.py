"""What tells the activity that something happened: each source model's saves and
deletes, a hiding by moderation, a chapter's change of its sections. Only enqueues a
task once the transaction commits (no logic here: the task recomputes from the
source)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.signals import sections_changed
from chapterhouse.moderation.models import Hidden

from . import services, tasks


def _enqueue_record(content_type_id: int, object_id: int) -> None:
    tasks.record_activity.enqueue(content_type_id, object_id)


def _enqueue_for_model(model: Any, object_id: int) -> None:
    _enqueue_record(ContentType.objects.get_for_model(model).pk, object_id)


def source_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # The content type is looked up after the commit: the write itself asks nothing more.
    transaction.on_commit(partial(_enqueue_for_model, sender, instance.pk))


def hiding_changed(sender: Any, instance: Hidden, **kwargs: Any) -> None:
    transaction.on_commit(partial(_enqueue_record, instance.content_type_id,
                                  instance.object_id))


def section_changed(sender: Any, chapter: Chapter, **kwargs: Any) -> None:
    transaction.on_commit(partial(tasks.refresh_chapter.enqueue, chapter.pk))


def connect() -> None:
    for model in services.source_models():
        post_save.connect(source_changed, sender=model, dispatch_uid=f"activity:{model}")
        post_delete.connect(source_changed, sender=model,
                            dispatch_uid=f"activity:delete:{model}")
    post_save.connect(hiding_changed, sender=Hidden, dispatch_uid="activity:hidden")
    sections_changed.connect(section_changed, sender=Chapter, dispatch_uid="activity:sections")
