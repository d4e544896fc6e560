"""The permission matrix: every blogs rule × every persona × the post's state and the
chapter's setting."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.blogs import selectors, services
from chapterhouse.blogs.tests.factories import make_post, reloaded
from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "member", "author", "facilitator",
            "parent_facilitator", "deactivated_facilitator", "staff_without_profile"]


@pytest.fixture
def personas(member, facilitator, outsider):
    author = make_member("Ari Author", city="London", neighbourhood="Hackney")
    london_facilitator = make_member("Lou", city="London")
    grant_role(chapter=london_facilitator.home_chapter, member=london_facilitator,
               source=ChapterRole.Source.ADMIN)
    gone = make_member("Gil", city="London", neighbourhood="Hackney")
    grant_role(chapter=gone.home_chapter, member=gone, source=ChapterRole.Source.ADMIN)
    gone.user.is_active = False
    gone.user.save()
    return {
        "anonymous": AnonymousUser(), "outsider": outsider, "member": member,
        "author": author, "facilitator": facilitator, "parent_facilitator": london_facilitator,
        "deactivated_facilitator": gone, "staff_without_profile": make_user(is_staff=True),
    }


def viewer(personas, name):
    who = personas[name]
    return Viewer(getattr(who, "user", who))


# Chapter blog: persona → (writes when only facilitators may, writes when members may)
WRITE = {
    "anonymous": (False, False), "outsider": (False, False), "member": (False, True),
    "author": (False, True), "facilitator": (True, True), "parent_facilitator": (False, False),
    "deactivated_facilitator": (False, False), "staff_without_profile": (False, False),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("members_may", [False, True])
def test_who_writes_in_a_chapter_blog(personas, member, persona, members_may):
    blog = selectors.blog_of_chapter(member.home_chapter)
    blog.members_may_write = members_may
    v = viewer(personas, persona)
    assert v.can("blogs.write", blog) is WRITE[persona][members_may]
    assert v.can("blogs.view_blog", blog) is True
    assert v.can("blogs.configure", blog) is (persona == "facilitator")


# persona → (sees a draft, changes the post, comments on it when published)
CHAPTER_POST = {
    "anonymous": (False, False, False), "outsider": (False, False, False),
    "member": (True, False, True),  # a writer (members may write) sees the draft
    "author": (True, True, True), "facilitator": (True, True, True),
    "parent_facilitator": (False, False, False),
    "deactivated_facilitator": (False, False, False),
    "staff_without_profile": (False, False, False),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_chapter_blog_draft_and_post(personas, facilitator, persona):
    services.set_members_may_write(chapter=facilitator.home_chapter, actor=facilitator,
                                   allowed=True)
    post = reloaded(make_post(personas["author"], publish=False))
    v = viewer(personas, persona)
    sees_draft, changes, comments = CHAPTER_POST[persona]
    assert v.can("blogs.view_post", post) is sees_draft
    assert v.can("blogs.change_post", post) is changes
    assert v.can("blogs.comment", post) is False  # never on a draft
    services.publish_post(post=post, actor=personas["author"])
    v = viewer(personas, persona)
    assert v.can("blogs.view_post", post) is True
    assert v.can("blogs.comment", post) is comments


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_is_only_its_authors_where_members_may_not_write(personas, persona):
    post = reloaded(make_post(personas["facilitator"], publish=False))
    expected = persona == "facilitator"
    assert viewer(personas, persona).can("blogs.view_post", post) is expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("visibility", list(Visibility))
def test_a_member_blog(personas, persona, visibility):
    owner = personas["author"]
    owner.profile_visibility = visibility
    owner.save()
    blog = selectors.blog_of_member(owner)
    post = make_post(owner, blog=blog)
    draft = make_post(owner, blog=blog, title="Unfinished", publish=False)
    v = viewer(personas, persona)
    is_owner = persona == "author"
    signed_in_member = persona not in ("anonymous", "staff_without_profile")
    reads = is_owner or visibility == Visibility.PUBLIC or (
        visibility == Visibility.MEMBERS and signed_in_member)
    assert v.can("blogs.view_blog", blog) is reads
    assert v.can("blogs.view_post", post) is reads
    assert v.can("blogs.view_post", draft) is is_owner
    assert v.can("blogs.write", blog) is is_owner
    assert v.can("blogs.change_post", post) is is_owner
    active = persona not in ("anonymous", "staff_without_profile", "deactivated_facilitator")
    assert v.can("blogs.comment", post) is (reads and active)
