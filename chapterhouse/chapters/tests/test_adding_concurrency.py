"""Chapters added at the same moment under one parent: each takes its own path, the
parent counts each once, and the same name at once is one chapter.

Real threads on a transactional database. On PostgreSQL (DATABASE_URL) the one
statement's UPDATE of the parent queues them on its row and hands each the count as
the previous one committed it; on SQLite the write lock taken when each transaction
begins (transaction_mode IMMEDIATE) does.
"""


import pytest

from chapterhouse.chapters import selectors, services
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.testing import run_together
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 8


def test_neighbourhoods_added_at_once_each_take_their_own_path():
    london, _created = services.ensure_place_chapter(make_city("London"))
    services.ensure_neighbourhood(london, "Already here")

    results, errors = run_together(THREADS, lambda i: services.ensure_neighbourhood(
        london, f"Quarter {i}"))

    assert errors == []
    assert all(created for _chapter, created in results.values())
    paths = {chapter.path for chapter, _created in results.values()}
    assert len(paths) == THREADS
    children = Chapter.objects.children_of(london)
    assert sorted(children.values_list("path", flat=True)) == [
        london.path + f"{step:04d}" for step in range(1, THREADS + 2)  # under 10: digits
    ]
    assert Chapter.objects.get(pk=london.pk).numchild == THREADS + 1
    assert selectors.tree_problems() == []


def test_the_same_neighbourhood_added_at_once_is_one_chapter():
    london, _created = services.ensure_place_chapter(make_city("London"))

    results, errors = run_together(THREADS, lambda i: services.ensure_neighbourhood(
        london, "Hackney" if i % 2 else "  hackney "))

    assert errors == []
    assert len({chapter.pk for chapter, _created in results.values()}) == 1
    assert sum(created for _chapter, created in results.values()) == 1
    assert Chapter.objects.get(pk=london.pk).numchild == 1
    assert selectors.tree_problems() == []


def test_cities_of_new_countries_added_at_once_build_one_sound_tree():
    services.get_international()
    cities = [make_city(f"City {i}", region=(f"X{i}-R", f"Region {i}"),
                        country=(f"X{i}", f"Country {i}")) for i in range(THREADS // 2)]
    cities += [make_city(f"Town {i}", region=(f"X{i}-R", f"Region {i}"),
                         country=(f"X{i}", f"Country {i}")) for i in range(THREADS // 2)]

    _results, errors = run_together(THREADS, lambda i: services.ensure_place_chapter(
        cities[i]))

    assert errors == []
    assert Chapter.objects.filter(place__isnull=False).count() == 3 * (THREADS // 2) + (
        THREADS // 2)
    assert selectors.tree_problems() == []
