"""Adding a chapter: the next path, the row and the parent's count in one statement
(chapters.insertion), and what follows a new chapter still following it."""

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from treebeard.exceptions import PathOverflow

from chapterhouse.chapters import insertion, selectors, services
from chapterhouse.chapters.models import Chapter, ChapterLevel
from chapterhouse.lib.errors import Refused
from chapterhouse.places.models import Place
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def london() -> Chapter:
    chapter, _created = services.ensure_place_chapter(make_city("London"))
    return chapter


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The queries but the savepoints of the test's own transaction."""
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_a_new_neighbourhood_is_one_look_up_and_one_statement(london):
    with CaptureQueriesContext(connection) as queries:
        hackney, created = services.ensure_neighbourhood(london, "Hackney")
    assert created
    sql = statements(queries)
    look_up, *writes = sql
    assert look_up.startswith("SELECT")
    if connection.vendor == "postgresql":
        assert len(writes) == 1  # the path, the row and the parent's count together
        assert "INSERT" in writes[0] and "numchild" in writes[0]
    else:  # SQLite: the INSERT … SELECT, then the count (the database lock is held)
        assert [w.split()[0] for w in writes] == ["WITH", "UPDATE"]
    stored = Chapter.objects.get(pk=hackney.pk)
    assert (stored.path, stored.depth, stored.numchild) == (london.path + "0001", 5, 0)
    assert stored.url_path == "gb/eng/london/hackney"
    assert stored.level == ChapterLevel.NEIGHBOURHOOD
    assert (stored.sort_name, stored.sort_names) == ("hackney", {})
    assert (hackney.path, london.numchild) == (stored.path, 1)
    assert Chapter.objects.get(pk=london.pk).numchild == 1


def test_an_existing_neighbourhood_is_one_query(london):
    first, _created = services.ensure_neighbourhood(london, "Hackney")
    with CaptureQueriesContext(connection) as queries:
        again, created = services.ensure_neighbourhood(london, " HACKNEY ")
    assert (again.pk, created) == (first.pk, False)
    assert len(statements(queries)) == 1


def test_each_child_takes_the_step_after_the_last_even_after_a_gap(london):
    for name in ("One", "Two", "Three"):
        services.ensure_neighbourhood(london, name)
    Chapter.objects.filter(url_path="gb/eng/london/two").delete()  # a hole at step 2
    Chapter.objects.filter(pk=london.pk).update(numchild=2)
    london.refresh_from_db()
    four, _created = services.ensure_neighbourhood(london, "Four")
    assert four.path == london.path + "0004"
    assert selectors.tree_problems() == []


def test_steps_count_in_base_36_across_a_digit(london):
    # A last child at step 35 ("000Z"): the next is 36 ("0010").
    services.ensure_neighbourhood(london, "First")
    Chapter.objects.filter(url_path="gb/eng/london/first").update(path=london.path + "000Z")
    nxt, _created = services.ensure_neighbourhood(london, "Next")
    assert nxt.path == london.path + "0010"


def test_a_full_parent_refuses_a_child_and_changes_nothing(london):
    services.ensure_neighbourhood(london, "Last")
    Chapter.objects.filter(url_path="gb/eng/london/last").update(path=london.path + "ZZZZ")
    with pytest.raises(PathOverflow):
        services.ensure_neighbourhood(london, "One too many")
    assert Chapter.objects.get(pk=london.pk).numchild == 1
    assert not Chapter.objects.filter(name="One too many").exists()


def test_a_taken_address_adds_nothing_and_puts_the_count_back(london):
    services.ensure_neighbourhood(london, "Hackney")
    before = Chapter.objects.get(pk=london.pk).numchild
    # As when another transaction added the same neighbourhood after our look-up.
    added = insertion.add_child(london, {"name": "Hackney", "slug": "hackney",
                                         "url_path": "gb/eng/london/hackney",
                                         "level": ChapterLevel.NEIGHBOURHOOD})
    assert added is None
    assert Chapter.objects.get(pk=london.pk).numchild == before
    assert selectors.tree_problems() == []


def test_a_new_chapter_is_saved_as_a_model_save_would_tell(london):
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, instance.url_path, created, instance._state.adding))

    post_save.connect(receiver, sender=Chapter, dispatch_uid="test_adding")
    try:
        hackney, _created = services.ensure_neighbourhood(london, "Hackney")
    finally:
        post_save.disconnect(dispatch_uid="test_adding", sender=Chapter)
    assert seen == [(hackney.pk, "gb/eng/london/hackney", True, False)]


def test_the_map_learns_of_a_new_chapter_after_the_commit(
        london, django_capture_on_commit_callbacks):
    version = selectors.geojson_version()
    with django_capture_on_commit_callbacks(execute=True):
        services.ensure_neighbourhood(london, "Hackney")
    assert selectors.geojson_version() != version
    version = selectors.geojson_version()
    with django_capture_on_commit_callbacks(execute=True):
        services.ensure_neighbourhood(london, "Hackney")  # not new: nothing to tell
    assert selectors.geojson_version() == version


def test_a_place_chapter_and_its_missing_ancestors_are_added_in_order(db):
    chapter, created = services.ensure_place_chapter(make_city("Leeds"))
    assert [c.url_path for c in created] == ["gb", "gb/eng", "gb/eng/leeds"]
    assert chapter.place == Place.objects.get(name="Leeds")
    root = services.get_international()
    assert Chapter.objects.get(url_path="gb").path == root.path + "0001"
    assert selectors.tree_problems() == []


def test_a_neighbourhood_taken_twice_in_a_row_is_refused_clearly(london, monkeypatch):
    # Each attempt finds its address taken by another transaction, yet no chapter there.
    monkeypatch.setattr(insertion, "add_child", lambda parent, fields: None)
    with pytest.raises(Refused, match="could not be added under London"):
        services.ensure_neighbourhood(london, "Hackney")
    assert not Chapter.objects.filter(name="Hackney").exists()
    assert Chapter.objects.get(pk=london.pk).numchild == 0
