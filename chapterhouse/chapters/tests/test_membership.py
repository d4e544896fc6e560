import pytest

from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.members.services import delete_account, move_member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return dict(Chapter.objects.values_list("url_path", "member_count"))


def test_a_new_member_belongs_to_every_level_at_once():
    member = make_member(city="London", neighbourhood="Hackney")
    home = member.home_chapter
    assert home.level == ChapterLevel.NEIGHBOURHOOD
    assert home.url_path == "gb/eng/london/hackney"
    chain = Chapter.objects.filter(path__in=home.ancestor_paths()).order_by("depth")
    assert [c.level for c in chain] == [0, 1, 2, 3, 4]
    assert all(c.member_count == 1 for c in chain)


def test_the_same_neighbourhood_name_in_the_same_city_is_the_same_chapter():
    first = make_member(city="London", neighbourhood="Hackney")
    second = make_member(city="London", neighbourhood="  hackney ")
    assert first.home_chapter_id == second.home_chapter_id
    assert counts()["gb/eng/london/hackney"] == 2
    assert counts()["gb/eng/london"] == 2


def test_moving_home_changes_counts_exactly():
    member = make_member(city="London", neighbourhood="Hackney")
    make_member(city="London")
    move_member(member=member, city=make_city("Manchester"), neighbourhood="")
    c = counts()
    assert c["gb/eng/london/hackney"] == 0
    assert c["gb/eng/london"] == 1
    assert c["gb/eng/manchester"] == 1
    assert c["gb/eng"] == 2
    assert c[""] == 2


def test_deleting_an_account_shrinks_every_chapter_it_belonged_to():
    member = make_member(city="London", neighbourhood="Hackney")
    delete_account(member=member)
    assert set(counts().values()) == {0}


def test_the_first_member_of_a_new_chapter_is_invited_to_facilitate_it():
    first = make_member(city="London", neighbourhood="Hackney")
    second = make_member(city="London", neighbourhood="Hackney")
    invited = ChapterRole.objects.filter(member=first, accepted_at__isnull=True)
    # United Kingdom, England, London, Hackney; International exists from the start.
    assert invited.count() == 4
    assert not ChapterRole.objects.filter(member=second).exists()
    assert first.notifications.filter(kind="role_invitation").exists()


def test_a_neighbourhood_named_in_another_script_gets_a_working_page(client):
    member = make_member(city="Tokyo", neighbourhood="新宿", region=("JP-13", "Tokyo"),
                         country=("JP", "Japan"))
    home = member.home_chapter
    assert home.slug == "新宿"
    response = client.get(home.get_absolute_url())
    assert response.status_code == 200
    assert "新宿" in response.content.decode()
