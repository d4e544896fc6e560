"""A post's head (its author, when, its number, "edited", whom it answers), rendered
once and shared by every reader; and the whole post as a kind of reader sees it.

Rendering those fifty heads was most of the cost of a page of posts (a proposal's
deliberation, a thread): five URLs, two dates and a few translations each. They are
the same for every reader, so each is kept in the cache under a key made of
everything it shows: an edit, a new display name or avatar, a reply's author renamed,
another language is another key, so no write has to forget anything and nothing
stale is ever shown. What depends on the reader (presence, "new", the hidden notice,
the actions) stays in `_post.html`, rendered for each request. One round trip fetches
the page's heads; those missing are rendered and stored in one more.

The rest of a post depends on the reader only through a few flags (new to them, the
first new, may they reply, edit, report; is the author online), so the whole `<li>` is
kept too, under a digest of the head's key, the body, those flags and the page's reply
links (`attach_posts`): fifty posts rendered through the template were most of a
member's proposal page. No member's data is in a kept post but what its key holds,
and two readers with the same flags see the same post. A post hidden by moderation is
rendered for each request (its notice and who may still read it depend on the hiding).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from .selectors import PostHead, RenderedPost

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

    from .models import Thread

HEAD_SECONDS = 7 * 24 * 3600
# A whole post is kept for an hour: it holds the body, and a post has a few variants
# (new or not, may reply, presence, language…), so a week of them would fill the
# cache with posts nobody reads any more. A page read now is read again soon.
POST_SECONDS = 3600
# Bump when _post_author.html or _post_meta.html change: the heads cached before are
# then never read again (and expire).
HEAD_TEMPLATES = 1
# Bump when _post.html or members/_presence.html change (as HEAD_TEMPLATES).
POST_TEMPLATES = 1


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
    _attach_heads(items, _where())


def _attach_heads(items: Sequence[RenderedPost], where: tuple[str, str]) -> dict[int, str]:
    """Set each item's `head` (a `PostHead`): from the cache, or rendered and stored.
    Two cache round trips at most, whatever the number of posts; no query (the posts
    come with their authors and the posts they answer, `selectors.posts_of`)."""
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
    return keys


def _presence(item: RenderedPost) -> tuple[Any, ...] | None:
    """What members/_presence.html (brief) and the "Joined" date show of the author."""
    author = item.post.author
    if not item.show_presence or author is None:
        return None
    return (author.show_presence, author.is_online, author.last_seen is not None,
            author.joined_at.isoformat())


def post_key(item: RenderedPost, head: str, *, authenticated: bool, member_pk: int | None,
             page: tuple[Any, ...]) -> str:
    """The cache key of `item` as shown to a reader: a digest of the head's key, the
    body, and every flag of the reader's that _post.html reads. `page`: what is the
    same for every post of the page (may the reader post, the reply links, the
    language). The reader's own id is not in it, only whether they may report."""
    post = item.post
    shown = (
        POST_TEMPLATES, head, str(post.public_id), post.is_removed, item.html,
        item.is_new, item.first_new, item.can_edit, _presence(item), authenticated,
        authenticated and post.author_id != member_pk and not post.is_removed,  # Report
        page,
    )
    return "post:" + hashlib.sha256(repr(shown).encode()).hexdigest()


def attach_posts(items: Sequence[RenderedPost], *, thread: Thread, member: Member | None,
                 authenticated: bool, can_post: bool, links: Mapping[str, str]) -> None:
    """Set each item's head (as `attach_heads`) and `shown`, the whole post as this reader
    sees it: from the cache, or rendered through _post.html and stored. Call it once the
    reader's flags (`can_edit`, `is_new`, `first_new`, `show_presence`) are set. Two
    cache round trips for the heads and two for the posts at most; no query."""
    where = _where()
    heads = _attach_heads(items, where)
    member_pk = member.pk if member is not None else None
    page = (can_post, str(thread.public_id), *sorted(links.items()), *where)
    keys = {id(item): post_key(item, heads[id(item)], authenticated=authenticated,
                               member_pk=member_pk, page=page) for item in items}
    found: dict[str, str] = cache.get_many(list(keys.values())) if keys else {}
    missing: dict[str, str] = {}
    # What _post.html reads besides the item: of the user, only whether they are signed
    # in (the key holds it); hidden posts never come here (the page renders those).
    context = {"hidden_posts": None, "can_post": can_post, "thread": thread,
               "current_member": member, "user": {"is_authenticated": authenticated},
               **links}
    for item in items:
        key = keys[id(item)]
        html = found.get(key) or missing.get(key)
        if html is None:
            html = missing[key] = render_to_string("discussions/_post.html",
                                                   {**context, "item": item})
        item.shown = mark_safe(html)  # noqa: S308 (our own template's output)
    if missing:
        cache.set_many(missing, POST_SECONDS)
