"""manage.py seed_demo: a believable demo organisation, bulk-loaded, exact and idempotent."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client

from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.demo import people as demo
from chapterhouse.members.models import Member, User
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.models import Place
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_gazetteer() -> list[Place]:
    """A handful of real cities in five countries; Germany here has no regions."""
    return [
        make_city("London", population=8_900_000),
        make_city("Manchester", population=550_000),
        make_city("Leeds", population=450_000),
        make_city("Paris", region=("FR-IDF", "Île-de-France"), country=("FR", "France"),
                  population=2_100_000),
        make_city("Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"), country=("FR", "France"),
                  population=520_000),
        make_city("Madrid", region=("ES-MD", "Madrid"), country=("ES", "Spain"),
                  population=3_200_000),
        make_city("Sevilla", region=("ES-AN", "Andalucía"), country=("ES", "Spain"),
                  population=690_000),
        make_city("Tokyo", region=("JP-13", "Tokyo"), country=("JP", "Japan"),
                  population=9_700_000),
        make_city("Berlin", region=None, country=("DE", "Germany"), population=3_400_000),
    ]


def seed(members: int = 200, **options: object) -> str:
    out = StringIO()
    call_command("seed_demo", members=members, stdout=out, verbosity=1, **options)
    return out.getvalue()


def recount(chapter: Chapter) -> int:
    return Member.objects.filter(home_chapter__path__startswith=chapter.path).count()


def test_it_refuses_to_run_on_an_empty_gazetteer():
    with pytest.raises(CommandError, match="run `manage.py load_places` first"):
        seed()
    assert not User.objects.exists()
    assert not Chapter.objects.exists()


@pytest.mark.parametrize("option", [{"members": 0}, {"batch_size": 0}])
def test_it_refuses_nonsense_options(tiny_gazetteer, option):
    with pytest.raises(CommandError):
        call_command("seed_demo", **{"members": 10, **option}, stdout=StringIO())
    assert not User.objects.exists()


def test_it_creates_the_members_with_exact_chapter_counts(tiny_gazetteer):
    make_member("Already Here", city="Leeds")  # a real member from before stays counted
    output = seed(200, batch_size=64)
    assert Member.objects.count() == 1 + 200 + 1
    assert User.objects.count() == EmailAddress.objects.count() == 202
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 202
    for chapter in Chapter.objects.all():
        assert chapter.member_count == recount(chapter), chapter.url_path
    assert Chapter.objects.get(level=ChapterLevel.INTERNATIONAL).member_count == 202
    assert "demo@example.org" in output
    assert demo.DEMO_PASSWORD in output


def test_members_come_from_every_loaded_country_with_local_names(tiny_gazetteer):
    seed(200)
    countries = set(Member.objects.values_list("country__code", flat=True))
    assert countries == {"GB", "FR", "ES", "JP", "DE"}
    japanese = Member.objects.filter(country__code="JP").values_list("display_name", flat=True)
    assert japanese and all(not name.isascii() for name in japanese)
    assert all("ja" in languages for languages in
               Member.objects.filter(country__code="JP").values_list("languages", flat=True))
    berlin = Member.objects.filter(city__name="Berlin").first()
    assert berlin is not None and berlin.region is None  # Germany has no regions here


def test_the_organisation_is_varied(tiny_gazetteer):
    seed(200)
    members = Member.objects.all()
    assert len(set(members.values_list("profile_visibility", flat=True))) == 3
    assert members.filter(listed_in_directory=False).exists()
    assert members.exclude(bio="").exists() and members.filter(bio="").exists()
    assert members.filter(show_location=False).exists()
    assert Chapter.objects.filter(level=ChapterLevel.NEIGHBOURHOOD).exists()
    assert not members.exclude(neighbourhood="").filter(
        home_chapter__level__lt=ChapterLevel.NEIGHBOURHOOD
    ).exists()
    assert not Chapter.objects.filter(description="").exists()
    roles = ChapterRole.objects.filter(accepted_at__isnull=False)
    assert roles.count() >= 5
    # Facilitators belong to the chapter they facilitate.
    for role in roles.select_related("chapter", "member__home_chapter"):
        assert role.member.home_chapter.path.startswith(role.chapter.path)


def test_the_demo_login_lives_in_and_facilitates_the_busiest_city(tiny_gazetteer):
    seed(200)
    member = Member.objects.select_related("home_chapter").get(user__email=demo.DEMO_EMAIL)
    home = member.home_chapter
    assert home.level == ChapterLevel.CITY
    busiest = Chapter.objects.filter(level=ChapterLevel.CITY).order_by("-member_count").first()
    assert home == busiest
    assert ChapterRole.objects.filter(
        chapter=home, member=member, accepted_at__isnull=False
    ).exists()


def test_the_demo_login_can_sign_in_at_once(tiny_gazetteer):
    seed(200)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert client.get("/api/v1/me/").json()["display_name"]


def test_running_it_again_changes_nothing(tiny_gazetteer):
    seed(200)
    before = (User.objects.count(), Member.objects.count(), Chapter.objects.count(),
              ChapterRole.objects.count(),
              list(Chapter.objects.order_by("path").values_list("path", "member_count")))
    output = seed(500)
    assert "already exists" in output
    assert demo.DEMO_EMAIL in output
    after = (User.objects.count(), Member.objects.count(), Chapter.objects.count(),
             ChapterRole.objects.count(),
             list(Chapter.objects.order_by("path").values_list("path", "member_count")))
    assert after == before


def test_the_same_seed_makes_the_same_organisation(tiny_gazetteer):
    def plan() -> list[tuple[object, ...]]:
        return sorted(Member.objects.exclude(user__email=demo.DEMO_EMAIL).values_list(
            "public_id", "display_name", "home_chapter__url_path", "profile_visibility"))

    seed(120, seed=7)
    first = plan()
    Member.objects.all().delete()
    User.objects.all().delete()
    seed(120, seed=7)
    assert plan() == first


def test_recount_fixes_any_drift(tiny_gazetteer):
    seed(100)
    Chapter.objects.update(member_count=0)
    assert demo.recount_member_counts() == Chapter.objects.count()
    for chapter in Chapter.objects.all():
        assert chapter.member_count == recount(chapter)
    assert demo.recount_member_counts() == 0


def test_a_gazetteer_of_other_countries_still_makes_a_demo():
    make_city("Monaco", region=None, country=("MC", "Monaco"), population=38_000)
    seed(30)
    assert Member.objects.count() == 31
    assert set(Member.objects.values_list("country__code", flat=True)) == {"MC"}
    assert Chapter.objects.get(level=ChapterLevel.INTERNATIONAL).member_count == 31
