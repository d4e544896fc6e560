from datetime import datetime
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    name = "chapterhouse.discussions"
    label = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        # The member's posts in their export, and removable when they leave.
        from chapterhouse.members import account_data
        from chapterhouse.notifications import replies

        from . import email_replies, selectors, services

        # Replying to a notice's email about a post posts the reply (chapterhouse.inbound).
        replies.register("post", email_replies.reply_to_post)

        account_data.register(account_data.Holding(
            app=self.label, export=selectors.account_export,
            remove_writing=services.remove_writing_of,
        ))
        # A new member's posts count towards the newcomer limits (chapters.limits).
        from chapterhouse.chapters import limits

        limits.register_counter("discussions.post", _posts_of)
        # Members report a post to the facilitators of its thread's chapter (moderation).
        from chapterhouse.lib import reportables

        reportables.register(reportables.Reportable(
            label="discussions.post", chapter_of=lambda post: post.thread.chapter,
            excerpt=lambda post: post.body, author_of=lambda post: post.author,
            view="discussions.view_thread", view_on=lambda post: post.thread,
            related=("thread__chapter", "author"),
        ))


def _posts_of(member: Any, since: datetime | None, most: int) -> list[datetime]:
    """When `member` wrote their posts since `since` (ever: None), newest first."""
    from .models import Post

    rows = Post.objects.filter(author=member)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return list(rows.order_by("-created_at").values_list("created_at", flat=True)[:most])
