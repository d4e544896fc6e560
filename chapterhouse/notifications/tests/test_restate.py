"""restate(): the notices of one event say something else from now on; others untouched."""

import pytest

from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.notifications.services import notify, restate

pytestmark = pytest.mark.django_db


def test_it_changes_the_notices_of_that_event_only():
    ada = make_member("Ada", city="London")
    bob = make_member("Bob", city="London")
    notify(recipients=[ada, bob], kind=Kind.ANNOUNCEMENT, message="announcements.new",
           params={"author": "Fay", "chapter": "London", "title": "Old"}, event="one")
    notify(recipients=[ada], kind=Kind.ANNOUNCEMENT, message="announcements.new",
           params={"author": "Fay", "chapter": "London", "title": "Other"}, event="two")
    changed = restate(event="one", message="announcements.withdrawn",
                      params={"chapter": "London"})
    assert changed == 2
    texts = sorted(n.text for n in Notification.objects.filter(kind=Kind.ANNOUNCEMENT))
    assert texts == ["An announcement in London was withdrawn.",
                     "An announcement in London was withdrawn.",
                     "Fay announced in London: Other"]


def test_it_refuses_an_undefined_message():
    with pytest.raises(ValueError):
        restate(event="one", message="nowhere.defined", params={})
