"""Over-capacity answers at the same moment: exactly `capacity` members are going.

Real threads on a transactional database. On PostgreSQL (DATABASE_URL) the event's row
lock (select_for_update) serialises the count-then-insert; on SQLite the write lock
taken when each transaction begins (transaction_mode IMMEDIATE) does.
"""


import pytest

from chapterhouse.events import services
from chapterhouse.events.models import Answer, Rsvp
from chapterhouse.lib.testing import run_together
from chapterhouse.members.tests.factories import make_member

from .factories import make_event

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CAPACITY = 3
MEMBERS = 12


def test_exactly_capacity_members_are_accepted_at_once():
    author = make_member("Fay", city="London", neighbourhood="Hackney")
    people = [make_member(f"M{i}", city="London", neighbourhood="Hackney")
              for i in range(MEMBERS)]
    event = make_event(author=author, capacity=CAPACITY)

    _results, errors = run_together(MEMBERS, lambda i: services.answer(
        event=event, occurrence=event.starts_at, member=people[i], answer="going"))

    assert errors == []
    answers = list(Rsvp.objects.values_list("answer", flat=True))
    assert len(answers) == MEMBERS
    assert answers.count(Answer.GOING) == CAPACITY
    assert answers.count(Answer.WAITING) == MEMBERS - CAPACITY


def test_leaving_at_once_promotes_each_place_once():
    author = make_member("Fay", city="London", neighbourhood="Hackney")
    people = [make_member(f"M{i}", city="London", neighbourhood="Hackney") for i in range(8)]
    event = make_event(author=author, capacity=CAPACITY)
    for person in people:
        services.answer(event=event, occurrence=event.starts_at, member=person, answer="going")
    going = people[:CAPACITY]

    _results, errors = run_together(CAPACITY, lambda i: services.answer(
        event=event, occurrence=event.starts_at, member=going[i], answer="not_going"))

    assert errors == []
    promoted = Rsvp.objects.filter(answer=Answer.GOING).values_list("member_id", flat=True)
    assert sorted(promoted) == sorted(p.pk for p in people[CAPACITY:2 * CAPACITY])
