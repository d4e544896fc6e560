"""seed_demo(chapters=…): the benchmark's shape, with Zipf-distributed chapter sizes."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from chapterhouse.chapters.models import Chapter, ChapterLevel
from chapterhouse.decisions.models import Proposal
from chapterhouse.demo import people as demo
from chapterhouse.demo import plan
from chapterhouse.members.models import Member
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def gazetteer() -> None:
    for i, name in enumerate(("London", "Leeds", "York", "Bath", "Hull", "Ely")):
        make_city(name, population=9_000_000 // (i + 1))
    for i, name in enumerate(("Paris", "Lyon", "Nice")):
        make_city(name, region=("FR-IDF", "Île-de-France"), country=("FR", "France"),
                  population=2_000_000 // (i + 1))
    make_city("Berlin", region=None, country=("DE", "Germany"), population=3_400_000)


def test_it_makes_the_chapters_asked_for_with_zipf_sizes(gazetteer):
    report = demo.seed_demo(members=600, chapters=40)
    assert report.chapters == Chapter.objects.count() == 40
    assert Chapter.objects.filter(level=ChapterLevel.CITY).count() == 10  # all there are
    hoods = Chapter.objects.filter(level=ChapterLevel.NEIGHBOURHOOD)
    assert hoods.count() == 40 - 1 - 3 - 2 - 10  # countries, regions and cities
    homes = Counter(Member.objects.exclude(user__email=demo.DEMO_EMAIL)
                    .values_list("home_chapter_id", flat=True))
    assert sorted(homes.values(), reverse=True) == plan._zipf(600, 10 + 24, 1.0)
    # The biggest city is the most populous one, and holds its neighbourhoods.
    london = Chapter.objects.get(url_path="gb/eng/london")
    assert london.member_count == max(c.member_count for c in Chapter.objects.filter(level=3))
    assert hoods.filter(path__startswith=london.path).count() >= 3
    for chapter in Chapter.objects.all():
        assert chapter.member_count == Member.objects.filter(
            home_chapter__path__startswith=chapter.path).count()
    assert Chapter.objects.find_problems() == ([], [], [], [], [])


def test_zipf_sizes_add_up_and_fall_as_one_over_rank():
    sizes = plan._zipf(1_000_000, 50_000, 1.0)
    assert sum(sizes) == 1_000_000 and min(sizes) >= 1
    assert sizes == sorted(sizes, reverse=True)
    assert 0.45 < sizes[1] / sizes[0] < 0.55 and 0.09 < sizes[9] / sizes[0] < 0.11


def test_the_command_takes_the_shape_and_can_leave_out_the_demo_decisions(gazetteer):
    out = StringIO()
    call_command("seed_demo", members=80, chapters=25, zipf=1.2, decisions=False, stdout=out)
    assert Chapter.objects.count() == 25
    assert not Proposal.objects.exists()
    assert demo.DEMO_EMAIL in out.getvalue()
