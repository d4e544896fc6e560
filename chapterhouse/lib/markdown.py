"""Markdown → safe HTML. Every piece of member-written text goes through here."""

import functools
import threading

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

from chapterhouse.lib.text import without_bidi_controls

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# One Markdown instance per thread, reset between texts: building one (loading the
# extensions) costs as much as converting a post, and a page converts fifty.
_local = threading.local()


def _converter() -> md.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = md.Markdown(extensions=["extra", "sane_lists", "nl2br"])
    return converter.reset()


# Rendering is a pure function of the text, so short texts (posts, comments) are
# remembered per process: a thread page shows the same fifty posts to every reader.
MEMO_MAX_CHARS = 4000
MEMO_SIZE = 2048


def render_markdown(text: str) -> SafeString:
    """Render member Markdown to HTML that cannot run script.

    Raw HTML in the source is escaped or stripped by nh3 (ammonia): no script or
    style elements, no event-handler attributes, no `javascript:` or `data:` links.
    """
    text = without_bidi_controls(text or "")
    clean = _memo_render(text) if len(text) <= MEMO_MAX_CHARS else _render(text)
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 in _render


def _render(text: str) -> str:
    html = _converter().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


_memo_render = functools.lru_cache(maxsize=MEMO_SIZE)(_render)
