"""Bulk chapter creation makes exactly the tree the one-by-one services make."""

import pytest

from chapterhouse.chapters import bulk, services
from chapterhouse.chapters.models import Chapter
from chapterhouse.places.models import Place
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db

FIELDS = ("path", "depth", "numchild", "url_path", "slug", "name", "names", "level", "place_id",
          "latitude", "longitude")


@pytest.fixture
def places() -> list[Place]:
    """Cities in an order that interleaves countries and regions, with two cities of
    one name in one region (the second gets a suffix), a city whose slug is a reserved
    word, and a country without regions."""
    return [
        make_city("Leeds", latitude=53.8, longitude=-1.55),
        make_city("Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"), country=("FR", "France")),
        make_city("London"),
        make_city("Berlin", region=None, country=("DE", "Germany")),
        make_city("Newport", region=("GB-WLS", "Wales")),
        make_city("Members", region=("GB-WLS", "Wales")),
        make_city("Grenoble", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                  country=("FR", "France")),
        make_city("Newport!", region=("GB-WLS", "Wales")),
        make_city("Leeds"),  # the same place again
    ]


HOODS = ["Hackney", "Brixton", "hackney ", "Members", "Camden"]


def snapshot() -> list[tuple[object, ...]]:
    return list(Chapter.objects.order_by("path").values_list(*FIELDS))


def existing_part() -> Chapter:
    """A tree that already has London with one neighbourhood, and Leeds."""
    london, _ = services.ensure_place_chapter(Place.objects.get(name="London"))
    services.ensure_neighbourhood(london, "Brixton")
    services.ensure_place_chapter(Place.objects.get(name="Leeds"))
    return london


def test_it_makes_the_same_tree_as_the_services_one_by_one(places):
    london = existing_part()
    for place in places:
        services.ensure_place_chapter(place)
    for name in HOODS:
        services.ensure_neighbourhood(london, name)
    newport = Chapter.objects.get(url_path="gb/wls/newport")
    services.ensure_neighbourhood(newport, "Pill")
    expected = snapshot()

    Chapter.objects.all().delete()
    london = existing_part()
    made = bulk.bulk_ensure_place_chapters(places)
    hoods = bulk.bulk_ensure_neighbourhoods(
        [(london, name) for name in HOODS] + [(made[places[4].pk], "Pill")]
    )
    assert snapshot() == expected
    assert Chapter.objects.find_problems() == ([], [], [], [], [])
    # The slug clash and the reserved word are settled as ensure_place_chapter does.
    assert {c.url_path for c in made.values()} >= {"gb/wls/newport", "gb/wls/members-"
                                                   + places[5].code.lower()}
    assert hoods[(london.pk, "hackney ")] == hoods[(london.pk, "Hackney")]
    assert hoods[(london.pk, "Members")].url_path == "gb/eng/london/members-area"
    assert hoods[(london.pk, "Brixton")].path == expected[4][0]  # the one that existed


def test_it_returns_every_place_and_ancestor_and_numchild_is_exact(places):
    made = bulk.bulk_ensure_place_chapters(places)
    assert set(made) == {p.pk for p in places} | {
        p.parent_id for p in places} | {Place.objects.get(code="GB").pk,
                                        Place.objects.get(code="FR").pk}
    for chapter in Chapter.objects.all():
        assert chapter.numchild == Chapter.objects.filter(
            path__startswith=chapter.path, depth=chapter.depth + 1).count(), chapter.url_path
    assert made[places[0].pk].numchild == 0  # the returned objects are saved chapters
    assert Chapter.objects.get(pk=made[places[0].pk].pk).url_path == "gb/eng/leeds"


def test_running_it_again_creates_nothing(places):
    first = bulk.bulk_ensure_place_chapters(places)
    london = first[places[2].pk]
    bulk.bulk_ensure_neighbourhoods([(london, name) for name in HOODS])
    before = snapshot()
    again = bulk.bulk_ensure_place_chapters(reversed(places))
    hoods = bulk.bulk_ensure_neighbourhoods([(london, "Camden"), (london, "CAMDEN")])
    assert snapshot() == before
    assert {k: c.pk for k, c in again.items()} == {k: c.pk for k, c in first.items()}
    assert hoods[(london.pk, "CAMDEN")].url_path == "gb/eng/london/camden"


def test_an_empty_request_writes_nothing(db):
    assert bulk.bulk_ensure_place_chapters([]) == {}
    assert bulk.bulk_ensure_neighbourhoods([]) == {}
    assert not Chapter.objects.exists()
