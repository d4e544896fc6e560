"""`{% thread_discussion thread as discussion %}`: what `_thread_embed.html` shows
for a thread on another page (a proposal, a blog post): its first page of posts,
who may do what, and the reply form, which brings the member back to that page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_discussion(context: template.Context, thread: Any) -> dict[str, Any] | None:
    if thread is None:
        return None
    from chapterhouse.discussions.views import discussion_context

    request = context["request"]
    return discussion_context(
        request, thread, page_number=1, next_url=request.get_full_path(), embedded=True
    )
