"""Fetch a blog or a post for a request, with permission (lib.interface.access): 404
when there is none or the viewer may not see it (a draft of someone else's), 403 when
they may see it but not do this."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, parse_uuid
from chapterhouse.members.access import access_member

from . import selectors
from .models import Blog, BlogPost


def access_member_blog(request: Any, public_id: Any) -> Blog:
    """The blog of the member `public_id`, if the viewer may see their profile."""
    member = access_member(request, public_id)
    return access(request, selectors.blog_of_member(member), view="blogs.view_blog",
                  missing=_("Not found"))


def access_post(request: Any, blog: Blog, slug: str, permission: str | None = None, *,
                denied: str | None = None) -> BlogPost:
    """The post `slug` of `blog`; a draft is a 404 for all but its author (and, in a
    chapter's blog, its writers)."""
    return access(request, selectors.get_post(blog, slug), view="blogs.view_post",
                  missing=_("There is no such post."), permission=permission, denied=denied)


def access_post_by_id(request: Any, public_id: Any, permission: str | None = None, *,
                      denied: str | None = None) -> BlogPost:
    missing = _("There is no such post.")
    post = selectors.get_post_by_id(parse_uuid(public_id, missing))
    return access(request, post, view="blogs.view_post", missing=missing,
                  permission=permission, denied=denied)
