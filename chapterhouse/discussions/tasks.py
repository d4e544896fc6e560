"""Background work for discussions. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services
from .models import Post


@task()
def notify_watchers(post_id: int, exclude: list[int]) -> int:
    """Tell the watchers of a post's thread and forum of it (services.reply enqueues
    this when they are many), but those in `exclude`; returns how many this run told.
    Resumes where a previous run stopped (services.notify_watchers_of)."""
    post = Post.objects.select_related("thread", "author").filter(pk=post_id).first()
    if post is None:
        return 0  # deleted with its thread meanwhile
    return services.notify_watchers_of(post=post, exclude=exclude)
