from __future__ import annotations

from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.discussions.models import Post
from chapterhouse.discussions.tests.factories import first_post, make_thread
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member

LONDON = "gb/eng/london"


def london_facilitator() -> Member:
    """A facilitator of London (the parent of Hackney)."""
    other = make_member("Lou London", city="London")
    grant_role(chapter=Chapter.objects.get(url_path=LONDON), member=other,
               source=ChapterRole.Source.ADMIN)
    return other


def a_post(author: Member, body: str = "Something rude about the park") -> Post:
    return first_post(make_thread(author, body=body))
