"""The place-search endpoints behind the location fields (/places/regions/, /places/cities/)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.places.tests.factories import make_city


@pytest.fixture
def clients(client, member_client, outsider_client):
    return {"anonymous": client, "member": member_client, "outsider": outsider_client}


@pytest.mark.parametrize("who", ["anonymous", "member", "outsider"])
def test_everyone_may_list_regions_and_search_cities(clients, gazetteer, who):
    # Anonymous visitors need them to sign up.
    assert clients[who].get("/places/regions/", {"country": "GB"}).status_code == 200
    response = clients[who].get("/places/cities/", {"region": "GB-ENG", "city": "lon"})
    assert response.status_code == 200
    assert 'data-city-name="London"' in response.content.decode()


class TestRegions:
    def test_it_lists_the_regions_of_a_country_as_options(self, client, gazetteer):
        html = client.get("/places/regions/", {"country": "GB"}).content.decode()
        assert '<option value="">Choose your region</option>' in html
        assert '<option value="GB-ENG">England</option>' in html
        assert '<option value="GB-SCT">Scotland</option>' in html
        assert "FR-ARA" not in html

    def test_region_names_follow_the_visitors_language(self, client, gazetteer):
        client.cookies["django_language"] = "es"
        html = client.get("/places/regions/", {"country": "gb"}).content.decode()
        assert '<option value="GB-ENG">Inglaterra</option>' in html

    @pytest.mark.parametrize("country", ["", "XX", "<script>", "GBR" * 100])
    def test_an_unknown_country_has_no_regions(self, client, gazetteer, country):
        response = client.get("/places/regions/", {"country": country})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Choose your country first" in html
        assert "<script>" not in html

    def test_a_country_without_regions_says_so(self, client, gazetteer):
        html = client.get("/places/regions/", {"country": "MC"}).content.decode()
        assert "(no regions)" in html

    def test_the_query_count_does_not_grow_with_regions(self, client, gazetteer):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                client.get("/places/regions/", {"country": "GB"})
            return len(queries)

        before = count()
        for n in range(10):
            make_city(f"Town {n}", region=(f"GB-R{n:02d}", f"Region {n}"))
        assert count() == before


class TestCities:
    # htmx sends the city input under its own name, "city", with the region and
    # country selects (hx-include).
    def _search(self, client, **params):
        response = client.get("/places/cities/", params)
        assert response.status_code == 200
        return response.content.decode()

    def test_it_suggests_cities_of_the_region(self, client, gazetteer):
        html = self._search(client, country="GB", region="GB-ENG", city="lon")
        assert f'data-city-code="{gazetteer["london"].code}"' in html
        assert 'data-city-name="London"' in html
        assert "Edinburgh" not in html

    def test_it_matches_ignoring_case_and_accents(self, client, gazetteer):
        html = self._search(client, country="FR", region="FR-ARA", city="LYÔN")
        assert 'data-city-name="Lyon"' in html

    def test_it_says_when_nothing_matches(self, client, gazetteer):
        html = self._search(client, country="GB", region="GB-ENG", city="zzz")
        assert "data-city-name" not in html
        assert "“zzz”" in html and "England" in html

    def test_without_an_area_it_suggests_nothing(self, client, gazetteer):
        assert "data-city-name" not in self._search(client, city="lon")

    def test_a_country_without_regions_is_searched_directly(self, client, gazetteer):
        html = self._search(client, country="MC", region="", city="mon")
        assert 'data-city-name="Monaco"' in html

    def test_names_with_markup_are_escaped(self, client, gazetteer):
        make_city('<img src=x onerror="alert(1)">')
        html = self._search(client, country="GB", region="GB-ENG", city="img")
        assert "<img" not in html
        assert "&lt;img" in html

    def test_the_query_is_escaped_in_the_reply(self, client, gazetteer):
        html = self._search(client, country="GB", region="GB-ENG", city="<script>x</script>")
        assert "<script>" not in html

    def test_the_query_count_does_not_grow_with_cities(self, client, gazetteer):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self._search(client, country="GB", region="GB-ENG", city="town")
            return len(queries)

        make_city("Town 0")
        before = count()
        for n in range(1, 30):
            make_city(f"Town {n}")
        assert count() == before

    def test_it_suggests_a_short_list(self, client, gazetteer):
        for n in range(30):
            make_city(f"Town {n}")
        html = self._search(client, country="GB", region="GB-ENG", city="town")
        assert 5 <= html.count("data-city-name=") <= 20

    def test_it_does_not_accept_posts(self, client, gazetteer):
        assert client.post("/places/cities/", {"region": "GB-ENG", "city": "lon"}).status_code \
            == 405


def test_the_signup_form_is_wired_to_the_endpoints(client, gazetteer):
    html = client.get("/accounts/signup/").content.decode()
    assert 'hx-get="/places/regions/"' in html and 'hx-target="#id_region"' in html
    assert 'hx-get="/places/cities/"' in html and 'hx-target="#id_city-suggestions"' in html
    assert 'id="id_city-suggestions"' in html
    assert 'name="city_code"' in html
