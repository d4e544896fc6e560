"""What the index holds of each kind of thing, and who may find it.

One `Source` per kind: the model, how to load a batch of its rows (with what the
document needs joined), and `document(obj)`, the entry's fields. An object's
`audience` is derived from its own app's view permission, asked of probe viewers
(`audience_by_rules`): anonymous, a member of no chapter of the object, a member of
the object's chapter. So a chapter that keeps a section to its members, a members-only
event, a draft or a removed entry is indexed exactly as its app shows it. Chat
messages are for the people in the room; moderation's current `Hidden` rows and
withdrawn or removed things are "none" (found by nobody).

The search app sits at the top of the app layers, so it reads every app's models.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from chapterhouse.blogs.models import BlogPost
from chapterhouse.chapters.models import Chapter
from chapterhouse.chat.models import Message
from chapterhouse.decisions.models import Decision, Proposal
from chapterhouse.discussions.models import Post
from chapterhouse.events.models import Event
from chapterhouse.lib.interface import Viewer
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.models import Member, Visibility
from chapterhouse.mutualaid.models import Entry as AidEntry
from chapterhouse.places.models import Place
from chapterhouse.projects.models import Group
from chapterhouse.resources.models import Lesson, Resource

PUBLIC = "public"
MEMBERS = "members"
NOBODY = "none"
SHIPPED_LANGUAGES = ("en", "es", "fr", "pt", "de", "ar")


def chapter_audience(chapter_id: int) -> str:
    return f"chapter:{chapter_id}"


def room_audience(room_id: int) -> str:
    return f"room:{room_id}"


def member_audience(member_id: int) -> str:
    return f"member:{member_id}"


@dataclass(frozen=True)
class Document:
    """An entry's fields, as the indexer writes them."""

    title: str
    body: str
    url: str
    date: datetime
    audience: str
    chapter: Chapter | None = None


@dataclass(frozen=True)
class Source:
    kind: str
    label: Promise
    model: type[models.Model]
    load: Callable[[], models.QuerySet[Any]]
    document: Callable[[Any], Document]

    @property
    def label_lower(self) -> str:
        return self.model._meta.label_lower


# Probe viewers: never saved, ids no row has, so no role, room or group is theirs.
_PROBE_ID = -1
_NOWHERE = Chapter(pk=_PROBE_ID, path="~", depth=99, name="", url_path="~")


def _probe(home: Chapter | None) -> Viewer:
    if home is None:
        from django.contrib.auth.models import AnonymousUser

        return Viewer(AnonymousUser())
    user = get_user_model()(pk=_PROBE_ID, is_active=True)
    member = Member(pk=_PROBE_ID, user=user, home_chapter=home, display_name="")
    user.member = member  # the reverse one-to-one's cache: what Viewer.member reads
    return Viewer(user)


def audience_by_rules(obj: Any, permission: str, chapter: Chapter | None) -> str:
    """Who may find `obj`, from its app's `permission`: everyone ("public"), any
    member ("members"), the members of its chapter ("chapter:<id>") or nobody."""
    if _probe(None).can(permission, obj):
        return PUBLIC
    if _probe(_NOWHERE).can(permission, obj):
        return MEMBERS
    if chapter is not None and _probe(chapter).can(permission, obj):
        return chapter_audience(chapter.pk)
    return NOBODY


def _place_names(place: Place | None) -> list[str]:
    """A place's name and its names in the shipped languages (the gazetteer's)."""
    if place is None:
        return []
    names = [place.name]
    names += [str(place.names[code]) for code in SHIPPED_LANGUAGES if place.names.get(code)]
    return list(dict.fromkeys(names))


def _join(parts: Iterable[str]) -> str:
    return "\n".join(part for part in parts if part)


# A line that Markdown renders as it is: it starts with a letter (no list, heading,
# quote or code marker), holds letters, digits, spaces and plain punctuation only (no
# emphasis, link, HTML or entity), and no space at its end (a line break).
_PLAIN_LINE = re.compile(r"[^\W\d_](?:[^\W_]|[ ,.;:!?'\"()/\u2013\u2014-])*(?<! )")


def as_read(markdown: str) -> str:
    """A body as the reader reads it: its Markdown rendered, then the text alone (no
    "###" nor "**" in a snippet). Plain text (most bios and posts) is its own reading
    but for its blank lines, and is taken as it is: rebuilding the index of millions
    of members would otherwise spend a third of its time rendering it."""
    if not markdown:
        return ""
    lines = markdown.split("\n")
    if all(not line or _PLAIN_LINE.fullmatch(line) for line in lines):
        return "\n".join(line for line in lines if line)
    return html.unescape(strip_tags(render_markdown(markdown))).strip()


def _chapter_document(chapter: Chapter) -> Document:
    names = [chapter.name, *(str(value) for value in (chapter.names or {}).values())]
    return Document(
        title=chapter.display_name(),
        body=_join([*dict.fromkeys(names), *_place_names(chapter.place), chapter.description]),
        url=chapter.get_absolute_url(), date=chapter.created_at, audience=PUBLIC,
        chapter=chapter,
    )


def _member_document(member: Member) -> Document:
    if not member.user.is_active:
        audience = NOBODY
    elif member.profile_visibility == Visibility.HIDDEN:
        audience = member_audience(member.pk)  # they find themselves
    else:
        audience = audience_by_rules(member, "members.see_profile", member.home_chapter)
    places = _place_names(member.country)
    if member.show_location:
        places += [*_place_names(member.region), *_place_names(member.city),
                   member.neighbourhood]
    return Document(
        title=member.display_name,
        body=_join([*places, member.bio if member.show_bio else ""]),
        url=member.get_absolute_url(), date=member.joined_at, audience=audience,
        chapter=member.home_chapter,
    )


def _proposal_document(proposal: Proposal) -> Document:
    audience = audience_by_rules(proposal, "decisions.view_proposal", proposal.chapter)
    if proposal.status == Proposal.Status.WITHDRAWN:
        audience = NOBODY
    return Document(
        title=proposal.title, body=proposal.text, url=proposal.get_absolute_url(),
        date=proposal.published_at or proposal.created_at, audience=audience,
        chapter=proposal.chapter,
    )


def _decision_document(decision: Decision) -> Document:
    return Document(
        title=decision.title, body=decision.text,
        url=reverse("decisions:record_number", kwargs={"sequence": decision.sequence}),
        date=decision.decided_at,
        audience=audience_by_rules(decision, "decisions.view_decision", decision.chapter),
        chapter=decision.chapter,
    )


def _post_document(post: Post) -> Document:
    thread = post.thread
    audience = audience_by_rules(thread, "discussions.view_thread", thread.chapter)
    if not post.body:
        audience = NOBODY
    return Document(
        title=thread.title, body=post.body, url=post.get_absolute_url(),
        date=post.created_at, audience=audience, chapter=thread.chapter,
    )


def _event_document(event: Event) -> Document:
    audience = audience_by_rules(event, "events.view_event", event.chapter)
    return Document(
        title=event.title, body=_join([event.description, event.address]),
        url=event.get_absolute_url(), date=event.starts_at,
        audience=audience, chapter=event.chapter,
    )


def _blog_post_document(post: BlogPost) -> Document:
    chapter = post.blog.chapter
    audience = audience_by_rules(post, "blogs.view_post", chapter)
    return Document(
        title=post.title, body=post.body, url=post.get_absolute_url(),
        date=post.published_at or post.created_at,
        audience=audience, chapter=chapter,
    )


def _group_document(group: Group) -> Document:
    return Document(
        title=group.name, body=group.description, url=group.get_absolute_url(),
        date=group.created_at,
        audience=audience_by_rules(group, "projects.view_group", group.chapter),
        chapter=group.chapter,
    )


def _resource_document(resource: Resource) -> Document:
    audience = audience_by_rules(resource, "resources.view_resource", resource.chapter)
    return Document(
        title=resource.title, body=_join([resource.description, resource.filename]),
        url=resource.get_absolute_url(), date=resource.created_at,
        audience=audience, chapter=resource.chapter,
    )


def _lesson_document(lesson: Lesson) -> Document:
    audience = audience_by_rules(lesson, "resources.view_lesson", lesson.chapter)
    return Document(
        title=lesson.title, body=lesson.body, url=lesson.get_absolute_url(),
        date=lesson.created_at,
        audience=NOBODY if lesson.is_removed else audience, chapter=lesson.chapter,
    )


def _aid_document(entry: AidEntry) -> Document:
    audience = audience_by_rules(entry, "mutualaid.view_entry", entry.chapter)
    return Document(
        title=entry.title, body=entry.description, url=entry.get_absolute_url(),
        date=entry.created_at,
        audience=audience, chapter=entry.chapter,
    )


def _message_document(message: Message) -> Document:
    room = message.room
    # The chapter's own room is everyone's who belongs to the chapter; any other room
    # is its members' (chat.rules: in_room), whoever else may look into it.
    audience = (chapter_audience(room.chapter_id) if room.is_chapter_room
                else room_audience(room.pk))
    if message.deleted_at is not None or message.hidden_at is not None or not message.body:
        audience = NOBODY
    return Document(
        title=room.name, body=message.body, url=room.get_absolute_url(),
        date=message.created_at, audience=audience, chapter=room.chapter,
    )


SOURCES: list[Source] = [
    Source("post", _("Posts"), Post,
           lambda: Post.objects.select_related("thread__chapter"), _post_document),
    Source("event", _("Events"), Event,
           lambda: Event.objects.select_related("chapter"), _event_document),
    Source("proposal", _("Proposals"), Proposal,
           lambda: Proposal.objects.select_related("chapter"), _proposal_document),
    Source("decision", _("Decision records"), Decision,
           lambda: Decision.objects.select_related("chapter"), _decision_document),
    Source("blogpost", _("Blog posts"), BlogPost,
           lambda: BlogPost.objects.select_related("blog__chapter", "blog__owner"),
           _blog_post_document),
    Source("project", _("Projects and groups"), Group,
           lambda: Group.objects.select_related("chapter"), _group_document),
    Source("resource", _("Resources"), Resource,
           lambda: Resource.objects.select_related("chapter"), _resource_document),
    Source("lesson", _("Lessons"), Lesson,
           lambda: Lesson.objects.select_related("chapter"), _lesson_document),
    Source("aid", _("Mutual aid"), AidEntry,
           lambda: AidEntry.objects.select_related("chapter"), _aid_document),
    Source("message", _("Chat messages"), Message,
           lambda: Message.objects.select_related("room__chapter"), _message_document),
    Source("member", _("Members"), Member,
           lambda: Member.objects.select_related("user", "home_chapter", "country", "region",
                                                 "city"), _member_document),
    Source("chapter", _("Chapters and places"), Chapter,
           lambda: Chapter.objects.select_related("place"), _chapter_document),
]

BY_KIND: dict[str, Source] = {source.kind: source for source in SOURCES}
BY_MODEL: dict[str, Source] = {source.label_lower: source for source in SOURCES}


def entry_key(label_lower: str, pk: Any) -> str:
    return f"{label_lower}:{pk}"
