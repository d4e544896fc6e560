"""The permission matrix of events: every rule × every persona × public or members-only."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.chapters.models import Chapter
from chapterhouse.events.models import EventSettings
from chapterhouse.lib.interface import Viewer
from chapterhouse.members.tests.factories import make_member

from .factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(member, facilitator, outsider):
    from chapterhouse.chapters.services import grant_role

    london_member = make_member("Lou", city="London")  # the parent: not a member below
    parent_facilitator = make_member("Pat", city="London")
    grant_role(chapter=Chapter.objects.get(url_path="gb/eng/london"), member=parent_facilitator,
               source="admin")
    deactivated = make_member("Dee", city="London", neighbourhood="Hackney")
    deactivated.user.is_active = False
    deactivated.user.save()
    return {"anonymous": None, "outsider": outsider, "member": member,
            "facilitator": facilitator, "parent_member": london_member,
            "parent_facilitator": parent_facilitator, "deactivated": deactivated}


def can(person, permission, obj):
    user = person.user if person is not None else AnonymousUser()
    return Viewer(user).can(permission, obj)


# Public event: (view, answer, change)
PUBLIC = {
    "anonymous": (True, False, False),
    "outsider": (True, False, False),
    "member": (True, True, False),
    "facilitator": (True, True, True),  # the author
    "parent_member": (True, False, False),
    "parent_facilitator": (True, False, False),
    "deactivated": (True, False, False),
}
MEMBERS_ONLY = {
    "anonymous": (False, False, False),
    "outsider": (False, False, False),
    "member": (True, True, False),
    "facilitator": (True, True, True),
    "parent_member": (False, False, False),
    "parent_facilitator": (False, False, False),
    "deactivated": (False, False, False),
}


@pytest.mark.parametrize("is_public", [True, False])
def test_the_event_rules(people, facilitator, is_public):
    event = make_event(author=facilitator, is_public=is_public)
    expected = PUBLIC if is_public else MEMBERS_ONLY
    for name, person in people.items():
        got = tuple(can(person, p, event) for p in
                    ("events.view_event", "events.answer", "events.change_event"))
        assert got == expected[name], name


def test_the_author_changes_their_event_without_being_facilitator(member, facilitator):
    EventSettings.objects.create(chapter=member.home_chapter, members_may_create=True)
    event = make_event(author=member)
    assert can(member, "events.change_event", event)
    assert can(facilitator, "events.change_event", event)


@pytest.mark.parametrize("members_may_create", [False, True])
def test_who_creates_and_sets(people, member, members_may_create):
    chapter = member.home_chapter
    EventSettings.objects.create(chapter=chapter, members_may_create=members_may_create)
    create = {name: can(person, "events.create_event", chapter)
              for name, person in people.items()}
    assert create == {
        "anonymous": False, "outsider": False, "member": members_may_create,
        "facilitator": True, "parent_member": False, "parent_facilitator": False,
        "deactivated": False,
    }
    settings = {name: can(person, "events.set_settings", chapter)
                for name, person in people.items()}
    assert [name for name, allowed in settings.items() if allowed] == ["facilitator"]
