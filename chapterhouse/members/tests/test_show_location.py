""""Show my city" off keeps a member out of the member lists of their city and
neighbourhood, on the web and in the API; country and region lists still show them,
without a city (issue #13, item 17)."""

import pytest

from chapterhouse.api.tests.conftest import token_client
from chapterhouse.conftest import client_for
from chapterhouse.members.services import update_profile
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

CITY, NEIGHBOURHOOD, REGION = "gb/eng/london", "gb/eng/london/hackney", "gb/eng"


@pytest.fixture
def hidden(db):
    person = make_member("Hidden Hilda", city="London", neighbourhood="Hackney")
    return update_profile(member=person, show_location=False)


@pytest.mark.parametrize("path", [CITY, NEIGHBOURHOOD])
def test_a_member_hiding_their_city_is_not_in_its_members_page(member, hidden, path):
    page = client_for(member).get(f"/c/{path}/members/").content.decode()
    assert "Ada Member" in page
    assert "Hidden Hilda" not in page


@pytest.mark.parametrize("path", [CITY, NEIGHBOURHOOD])
def test_nor_in_the_api_list_of_its_members(member, hidden, path):
    names = [m["display_name"] for m in
             token_client(member).get(f"/api/v1/members/?chapter={path}").json()["results"]]
    assert "Ada Member" in names
    assert "Hidden Hilda" not in names


def test_nor_in_the_member_search_within_the_city(member, hidden):
    response = client_for(member).get(f"/m/search/?q=Hidden&within={CITY}")
    assert "Hidden Hilda" not in response.content.decode()


def test_the_region_and_country_lists_show_them_without_a_place(member, hidden):
    page = client_for(member).get(f"/c/{REGION}/members/").content.decode()
    assert "Hidden Hilda" in page
    results = token_client(member).get(f"/api/v1/members/?chapter={REGION}").json()["results"]
    row = next(m for m in results if m["display_name"] == "Hidden Hilda")
    assert row["city"] is None and row["neighbourhood"] is None and row["home_chapter"] is None


def test_a_member_still_sees_themselves_in_their_city(hidden):
    page = client_for(hidden).get(f"/c/{CITY}/members/").content.decode()
    assert "Hidden Hilda" in page
