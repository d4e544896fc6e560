"""A post's head (its author, when, its number, "edited", whom it answers), rendered
once and shared by every reader.

Rendering those fifty heads was most of the cost of a page of posts (a proposal's
deliberation, a thread): five URLs, two dates and a few translations each. They are
the same for every reader, so each is kept in the cache under a key made of
everything it shows: an edit, a new display name or avatar, a reply's author renamed,
another language is another key, so no write has to forget anything and nothing
stale is ever shown. What depends on the reader (presence, "new", the hidden notice,
the actions) stays in `_post.html`, rendered for each request. One round trip fetches
the page's heads; those missing are rendered and stored in one more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from .selectors import PostHead, RenderedPost

HEAD_SECONDS = 7 * 24 * 3600
# Bump when _post_author.html or _post_meta.html change: the heads cached before are
# then never read again (and expire).
HEAD_TEMPLATES = 1


def head_key(item: RenderedPost, where: tuple[str, str]) -> str:
    """The cache key of `item`'s head: a digest of every value the head shows, in
    `where` (the language and the time zone, `_where()`)."""
    post = item.post
    author = post.author
    reply_to = post.reply_to
    replied = reply_to.author if reply_to is not None else None
    shown = (
        HEAD_TEMPLATES, *where,
        post.pk, str(post.public_id), item.number, post.created_at.isoformat(),
        post.edited_at.isoformat() if post.edited_at else None,
        (str(author.public_id), author.display_name, author.avatar.name or "")
        if author is not None else None,
        (str(reply_to.public_id), replied.display_name if replied is not None else None)
        if reply_to is not None else None,
    )
    return "post-head:" + hashlib.sha256(repr(shown).encode()).hexdigest()


def _where() -> tuple[str, str]:
    # Looking the zone's name up costs more than a post's digest: once per page.
    return translation.get_language() or "", timezone.get_current_timezone_name()


def _render(item: RenderedPost) -> tuple[str, str]:
    context = {"item": item}
    return (render_to_string("discussions/_post_author.html", context).strip(),
            render_to_string("discussions/_post_meta.html", context).strip())


def attach_heads(items: Sequence[RenderedPost]) -> None:
    """Set each item's `head` (a `PostHead`): from the cache, or rendered and stored.
    Two cache round trips at most, whatever the number of posts; no query (the posts
    come with their authors and the posts they answer, `selectors.posts_of`)."""
    where = _where()
    keys = {id(item): head_key(item, where) for item in items}
    found: dict[str, tuple[str, str]] = cache.get_many(list(keys.values())) if keys else {}
    missing: dict[str, tuple[str, str]] = {}
    for item in items:
        key = keys[id(item)]
        pieces = found.get(key) or missing.get(key)
        if pieces is None:
            pieces = missing[key] = _render(item)
        # Our own templates' output, escaped as they rendered it.
        item.head = PostHead(author=mark_safe(pieces[0]), meta=mark_safe(pieces[1]))  # noqa: S308
    if missing:
        cache.set_many(missing, HEAD_SECONDS)
