"""lib.rawsql.Prepared: a queryset built once per shape, run with other arguments,
gives what the ORM gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.rawsql import Prepared
from chapterhouse.lib.testing import run_together
from chapterhouse.members.models import Member

pytestmark = pytest.mark.django_db


def _members_of(chapter_id: int):
    return (Member.objects.filter(home_chapter_id=chapter_id)
            .select_related("user", "home_chapter").order_by("pk"))


def test_instances_with_their_related_objects_are_the_orms(member, neighbour, outsider):
    prepared = Prepared(_members_of)
    for chapter_id in (member.home_chapter_id, outsider.home_chapter_id,
                       member.home_chapter_id):
        expected = list(_members_of(chapter_id))
        with CaptureQueriesContext(connection) as ctx:
            got = prepared(chapter_id)
            names = [(m.user.email, m.home_chapter.name, m.display_name) for m in got]
        assert got == expected
        assert names == [(m.user.email, m.home_chapter.name, m.display_name) for m in expected]
        assert len(ctx.captured_queries) == 1  # the related objects came with the row


def test_the_sql_is_built_once_per_shape(member, outsider):
    calls = []

    def build(paths):
        calls.append(len(paths))
        return Chapter.objects.filter(path__in=paths).values_list("name", flat=True)

    prepared = Prepared(build)
    london = member.home_chapter
    assert sorted(prepared(london.ancestor_paths())) == sorted(
        Chapter.objects.filter(path__in=london.ancestor_paths()).values_list("name", flat=True))
    lyon = outsider.home_chapter
    assert set(prepared(lyon.ancestor_paths())) == {
        c.name for c in Chapter.objects.containing(lyon)}
    assert prepared(["no-such-path"]) == []
    # Hackney's chain and Lyon's have different lengths: one build each, plus the
    # one-path shape; a second call of a known shape builds nothing.
    before = len(calls)
    prepared(lyon.ancestor_paths())
    shapes = {len(london.ancestor_paths()), len(lyon.ancestor_paths()), 1}
    assert len(calls) == before == len(shapes)


def test_counts_and_texts(member, neighbour):
    prepared = Prepared(lambda chapter_id, name: Member.objects.filter(
        home_chapter_id=chapter_id).exclude(display_name=name).values_list("pk", flat=True))
    assert sorted(prepared(member.home_chapter_id, member.display_name)) == [neighbour.pk]
    assert sorted(prepared(member.home_chapter_id, "nobody")) == sorted([member.pk, neighbour.pk])


def test_an_argument_the_query_does_not_carry_goes_through_the_orm(member, outsider):
    # `build` leaves its argument out of the parameters (it decides in Python):
    # the kept SQL would answer every call the same, so the ORM answers each.
    prepared = Prepared(lambda chapter_id: Member.objects.filter(
        home_chapter_id=member.home_chapter_id if chapter_id > 0 else -1).values_list(
        "pk", flat=True))
    assert prepared(1) != []
    assert prepared(-5) == []


def test_only_numbers_and_texts():
    with pytest.raises(TypeError):
        Prepared(lambda when: Member.objects.filter(joined_at=when))(object())


# Serialized: a plain transactional test flushes the content types, and the later
# serialized ones (the drills) could not load theirs back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_query_built_in_one_thread_runs_in_another(member):
    # Django's connections are per thread, and the compiler kept the one it was built
    # with: each run uses its own thread's (ASGI runs views in a pool's threads).
    prepared = Prepared(_members_of)
    assert prepared(member.home_chapter_id) == [member]
    results, errors = run_together(1, lambda _i: prepared(member.home_chapter_id))
    assert errors == [] and results == {0: [member]}
