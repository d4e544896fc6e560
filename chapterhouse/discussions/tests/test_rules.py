"""The discussions rules, as a matrix of personas × thread states."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.discussions import services
from chapterhouse.members.tests.factories import make_member

from .factories import HACKNEY, chapter_at, first_post, make_thread

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "londoner", "london_facilitator", "neighbour",
            "author", "facilitator", "staff"]


@pytest.fixture
def people(member, neighbour, facilitator, outsider, staff):
    londoner = make_member("Lou Londoner", city="London")  # London, not Hackney
    london_facilitator = make_member("Leo Lead", city="London")
    grant_role(chapter=chapter_at("gb/eng/london"), member=london_facilitator,
               source=ChapterRole.Source.ADMIN)
    return {
        "anonymous": AnonymousUser(),
        "outsider": outsider.user,
        "londoner": londoner.user,
        "london_facilitator": london_facilitator.user,
        "neighbour": neighbour.user,
        "author": member.user,
        "facilitator": facilitator.user,
        "staff": staff.user,
    }


def fresh(user):
    """The user as a new request would load it (no cached member or chapter)."""
    if not user.is_authenticated:
        return user
    return type(user).objects.get(pk=user.pk)


def matrix(people, perm, obj):
    return {name: fresh(user).has_perm(perm, obj) for name, user in people.items()}


EXPECTED = {
    # persona: (post when open, post when locked, edit own first post open, locked, lock)
    "anonymous": (False, False, False, False, False),
    "outsider": (False, False, False, False, False),
    "londoner": (False, False, False, False, False),
    "london_facilitator": (False, False, False, False, False),
    "neighbour": (True, False, False, False, False),
    "author": (True, False, True, False, False),
    "facilitator": (True, False, False, False, True),
    "staff": (False, False, False, False, True),
}


@pytest.mark.parametrize("locked", [False, True], ids=["open", "locked"])
def test_the_rules_matrix(people, member, facilitator, locked):
    thread = make_thread(member)
    if locked:
        services.lock_thread(thread=thread, actor=facilitator)
        thread.refresh_from_db()
    post = first_post(thread)
    post.thread = thread
    column = 1 if locked else 0
    assert matrix(people, "discussions.view_thread", thread) == dict.fromkeys(PERSONAS, True)
    assert matrix(people, "discussions.post_in_thread", thread) == {
        name: row[column] for name, row in EXPECTED.items()
    }
    assert matrix(people, "discussions.edit_post", post) == {
        name: row[2 + column] for name, row in EXPECTED.items()
    }
    assert matrix(people, "discussions.lock_thread", thread) == {
        name: row[4] for name, row in EXPECTED.items()
    }


def test_who_may_start_a_thread(people):
    hackney = {name: True for name in ["neighbour", "author", "facilitator"]}
    assert matrix(people, "discussions.start_thread", chapter_at(HACKNEY)) == {
        name: hackney.get(name, False) for name in PERSONAS
    }
    # Everyone in London, Hackney included; the outsider and staff (Leeds) are not.
    london = {name: name not in {"anonymous", "outsider", "staff"} for name in PERSONAS}
    assert matrix(people, "discussions.start_thread", chapter_at("gb/eng/london")) == london
    # Everyone with a profile belongs to International.
    everyone = {name: name != "anonymous" for name in PERSONAS}
    assert matrix(people, "discussions.start_thread", chapter_at("")) == everyone


def test_a_member_of_the_parent_chapter_posts_in_its_threads_not_in_its_childrens(
    people, member
):
    london_thread = make_thread(member, chapter=chapter_at("gb/eng/london"))
    assert fresh(people["londoner"]).has_perm("discussions.post_in_thread", london_thread)
    assert fresh(people["author"]).has_perm("discussions.post_in_thread", london_thread)
    assert not fresh(people["outsider"]).has_perm("discussions.post_in_thread", london_thread)


def test_a_member_who_moved_away_can_no_longer_post_but_still_edit(member, neighbour):
    from chapterhouse.members.services import move_member
    from chapterhouse.places.tests.factories import make_city

    thread = make_thread(member)
    post = services.reply(thread=thread, author=neighbour, body="Hello")
    move_member(member=neighbour, city=make_city("Leeds"))
    user = fresh(neighbour.user)
    assert not user.has_perm("discussions.post_in_thread", thread)
    assert user.has_perm("discussions.edit_post", post)


def test_a_deactivated_account_may_not_post(member, neighbour):
    thread = make_thread(member)
    neighbour.user.is_active = False
    neighbour.user.save()
    assert not fresh(neighbour.user).has_perm("discussions.post_in_thread", thread)
