"""Post bodies: Markdown with mentions and quotes, rendered safely.

A mention is written `@[Name](member:<public_id>)` (the reply form's member
search inserts it). The body goes through `chapterhouse.lib.markdown.render_markdown`
(sanitised by nh3) with every mention swapped for an inert placeholder; only then,
in the sanitised HTML, are the placeholders turned into links built here, with the
member's *current* display name looked up by id (the name typed in the body is
never trusted: `@[Someone else](member:<your id>)` shows your name).

Placeholders are replaced only in text: inside a tag's attributes they become the
escaped original text, inside `<code>`/`<pre>` the literal token, inside a link
plain text (no nested links).
"""

from __future__ import annotations

import html
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chapterhouse.lib.markdown import render_markdown

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

    from .models import Post

MENTION = re.compile(
    r"@\[(?P<name>[^\[\]\n]{1,80})\]\(member:(?P<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)"
)
# nh3 (html5ever) serialises attribute values in double quotes with `"` escaped, and
# escapes `<` in text: so `<` always opens a tag and a tag ends at the first `>`
# outside quotes.
_PIECES = re.compile(r'(<(?:[^">]|"[^"]*")*>)')
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def mention_token(member: Member) -> str:
    """What the reply form inserts to mention `member`."""
    name = re.sub(r"[\[\]\n\r]", "", member.display_name)[:80] or "member"
    return f"@[{name}](member:{member.public_id})"


@dataclass
class Rendered:
    html: SafeString
    # Members mentioned outside code and quotes (whom a new post notifies), in order.
    mentioned: list[uuid.UUID] = field(default_factory=list)


def render(body: str, members: Mapping[uuid.UUID, Member] | None = None) -> Rendered:
    """Render a post body. `members` maps public ids to the mentioned members
    (those unknown render as plain text)."""
    members = members or {}
    nonce = secrets.token_hex(8)
    tokens: list[re.Match[str]] = []

    def stash(match: re.Match[str]) -> str:
        tokens.append(match)
        return f"chm{nonce}x{len(tokens) - 1}y"

    source = MENTION.sub(stash, body or "")
    clean = str(render_markdown(source))
    if not tokens:
        return Rendered(html=mark_safe(clean))  # noqa: S308 - sanitised by render_markdown

    placeholder = re.compile(rf"chm{nonce}x(\d+)y")
    mentioned: list[uuid.UUID] = []
    depth = {"code": 0, "pre": 0, "a": 0, "blockquote": 0}
    out: list[str] = []
    for piece in _PIECES.split(clean):
        if piece.startswith("<"):
            tag = _TAG_NAME.match(piece)
            if tag and tag.group(2).lower() in depth:
                depth[tag.group(2).lower()] += -1 if tag.group(1) else 1
            out.append(placeholder.sub(lambda m: html.escape(tokens[int(m.group(1))][0]), piece))
            continue

        def link(m: re.Match[str]) -> str:
            token = tokens[int(m.group(1))]
            if depth["code"] > 0 or depth["pre"] > 0:
                return html.escape(token[0])
            public_id = uuid.UUID(token.group("id"))
            if depth["blockquote"] <= 0 and public_id not in mentioned:
                mentioned.append(public_id)
            member = members.get(public_id)
            if member is None:
                return html.escape(f"@{token.group('name')}")
            name = html.escape(f"@{member.display_name}")
            if depth["a"] > 0:
                return name
            url = html.escape(member.get_absolute_url())
            return f'<a class="mention" href="{url}">{name}</a>'

        out.append(placeholder.sub(link, piece))
    # Built from sanitised HTML plus escaped names and our own URLs.
    return Rendered(html=mark_safe("".join(out)), mentioned=mentioned)  # noqa: S308


def mentioned_ids(body: str) -> list[uuid.UUID]:
    """The public ids of members mentioned in `body` outside code and quotes."""
    return render(body).mentioned


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def plain_text(text: str) -> str:
    """`text` written so that it renders as itself in a post: no link, emphasis, HTML
    or mention (a proposal's title quoted in its deliberation thread)."""
    return escape_markdown(" ".join(text.split())).replace("&", "&amp;").replace("@", "&#64;")


def quote(post: Post) -> str:
    """The text a reply starts with to quote `post`: an attributed blockquote
    linking to the quoted post. Quotes inside the quoted post are left out."""
    author = post.author.display_name if post.author is not None else _("former member")
    lines = [line for line in post.body.splitlines() if not line.lstrip().startswith(">")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    url = reverse("discussions:post", kwargs={"public_id": post.public_id})
    attribution = _("%(name)s wrote:") % {
        "name": f"[{escape_markdown(author)}]({url})",
    }
    quoted = [f"> {attribution}", ">"] + [f"> {line}" if line else ">" for line in lines]
    return "\n".join(quoted) + "\n\n"


_QUOTED_POST = re.compile(
    r"\]\(/discussions/posts/(?P<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/\)"
)


def quoted_ids(body: str) -> list[uuid.UUID]:
    """The public ids of the posts `body` quotes: links to a post's permalink inside a
    blockquote (as `quote` writes them, or pasted), in order, each once."""
    found: list[uuid.UUID] = []
    for line in (body or "").splitlines():
        if not line.lstrip().startswith(">"):
            continue
        for match in _QUOTED_POST.finditer(line):
            public_id = uuid.UUID(match.group("id"))
            if public_id not in found:
                found.append(public_id)
    return found
