"""The index follows the indexed models: a save or delete enqueues, once the
transaction commits, a task that (re)indexes the object. Nothing is indexed in the
request, and nothing else is decided here (the indexer reads what the rows say).

Also followed: a thread (its title is its posts' title), moderation's Hidden rows
(hiding and restoring), a member's account (deactivation) and deletion (its writing is
emptied), a chapter's sections (their visibility: everything of the chapter).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.signals import sections_changed
from chapterhouse.chat.models import Message
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.members.models import Member
from chapterhouse.moderation.models import Hidden
from chapterhouse.resources.models import Lesson

from . import tasks
from .sources import SOURCES

_UID = "chapterhouse.search"


def enqueue(label_lower: str, pk: Any) -> None:
    """Index the object after the transaction commits (a task: never in the request)."""
    transaction.on_commit(lambda: tasks.index_object.enqueue(label_lower, str(pk)))


def _object_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    enqueue(sender._meta.label_lower, instance.pk)


def _sections_changed(sender: type[Model], chapter: Chapter, **kwargs: Any) -> None:
    # Sent after the commit already.
    tasks.index_chapter.enqueue(chapter.pk)


def _member_leaving(sender: type[Model], instance: Member, **kwargs: Any) -> None:
    """A deleted account's writing is emptied with bulk updates (no signal): reindex it
    after the commit, so its text leaves the index too."""
    for model in (Post, Message, Lesson):
        pks = [str(pk) for pk in model._default_manager.filter(author=instance)
               .values_list("pk", flat=True)]
        if pks:
            transaction.on_commit(partial(tasks.index_objects.enqueue,
                                          model._meta.label_lower, pks))


def _thread_changed(sender: type[Model], instance: Thread, **kwargs: Any) -> None:
    if not kwargs.get("created"):
        enqueue("discussions.thread", instance.pk)


def _hidden_changed(sender: type[Model], instance: Hidden, **kwargs: Any) -> None:
    model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
    if model is not None:
        enqueue(model._meta.label_lower, instance.object_id)


def _user_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return
    member_id = Member.objects.filter(user_id=instance.pk).values_list("pk", flat=True).first()
    if member_id is not None:
        enqueue("members.member", member_id)


def connect() -> None:
    for source in SOURCES:
        post_save.connect(_object_changed, sender=source.model, dispatch_uid=f"{_UID}.save")
        post_delete.connect(_object_changed, sender=source.model,
                            dispatch_uid=f"{_UID}.delete")
    sections_changed.connect(_sections_changed, sender=Chapter, dispatch_uid=f"{_UID}.sections")
    pre_delete.connect(_member_leaving, sender=Member, dispatch_uid=f"{_UID}.leaving")
    post_save.connect(_thread_changed, sender=Thread, dispatch_uid=f"{_UID}.thread")
    post_save.connect(_hidden_changed, sender=Hidden, dispatch_uid=f"{_UID}.hidden")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid=f"{_UID}.user")
