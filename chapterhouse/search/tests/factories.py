"""A corpus with one thing of every kind, each saying "quokka", and helpers."""

from __future__ import annotations

from dataclasses import dataclass

from chapterhouse.blogs.models import BlogPost
from chapterhouse.blogs.tests.factories import make_post
from chapterhouse.chapters.models import Chapter
from chapterhouse.chat import services as chat_services
from chapterhouse.chat.models import Message
from chapterhouse.decisions.models import Proposal
from chapterhouse.decisions.tests.factories import in_deliberation
from chapterhouse.discussions.models import Post
from chapterhouse.discussions.tests.factories import first_post, make_thread
from chapterhouse.events.models import Event
from chapterhouse.events.tests.factories import make_event
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.models import Member
from chapterhouse.mutualaid.models import Entry as AidEntry
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.projects.models import Group
from chapterhouse.projects.tests.factories import make_group
from chapterhouse.resources.models import Lesson, Resource
from chapterhouse.resources.tests.factories import make_lesson, make_link
from chapterhouse.search import services

WORD = "quokka"


@dataclass
class Corpus:
    post: Post
    event: Event
    proposal: Proposal
    blog_post: BlogPost
    group: Group
    resource: Resource
    lesson: Lesson
    aid: AidEntry
    message: Message


def make_corpus(author: Member) -> Corpus:
    """One thing of each kind in the author's home chapter, each with WORD."""
    room = chat_services.create_room(chapter=author.home_chapter, creator=author,
                                     name="Gardeners", access="invite")
    return Corpus(
        post=first_post(make_thread(author, title="The park", body=f"A {WORD} in the park")),
        event=make_event(author=author, title=f"{WORD.title()} walk",
                         description="Meet at the gate"),
        proposal=in_deliberation(author, title="Protect the wildlife",
                                 text=f"We protect every {WORD}."),
        blog_post=make_post(author, title="Spring", body=f"The {WORD} is back."),
        group=make_group(author, "Wildlife group", description=f"Friends of the {WORD}"),
        resource=make_link(author, title=f"{WORD.title()} guide"),
        lesson=make_lesson(author, title="Counting animals", body=f"Count each {WORD} once."),
        aid=make_entry(author, title=f"Food for a {WORD}", visible_to_everyone=True),
        message=chat_services.post_message(room=room, author=author,
                                           text=f"Saw a {WORD} today"),
    )


def reindex() -> None:
    services.rebuild()


def viewer(member: Member | None) -> Viewer:
    from django.contrib.auth.models import AnonymousUser

    return Viewer(member.user if member is not None else AnonymousUser())


def chapter_at(url_path: str) -> Chapter:
    return Chapter.objects.get(url_path=url_path)
