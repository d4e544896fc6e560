"""The chapter search behind the one autocomplete (chapters:search)."""

import pytest
from django.urls import reverse

from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

URL = "/c/search/"


def test_its_address():
    assert reverse("chapters:search") == URL


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_anyone_finds_the_chapters_within_one_by_name(request, member, persona):
    client = request.getfixturevalue(persona)
    page = client.get(URL, {"within": "gb/eng", "q": "hack"}).content.decode()
    assert 'data-suggestion="gb/eng/london/hackney"' in page
    assert "<html" not in page


def test_it_finds_nothing_outside_the_chapter(member, outsider, client):
    page = client.get(URL, {"within": "gb", "q": "lyon"}).content.decode()
    assert "data-suggestion=" not in page


def test_without_a_query_it_offers_the_chapter_and_the_largest_below_it(member, client):
    page = client.get(URL, {"within": "international"}).content.decode()
    assert 'data-suggestion="international"' in page and 'data-suggestion="gb"' in page


def test_an_unknown_chapter_is_a_404(member, client):
    assert client.get(URL, {"within": "zz/nowhere", "q": "x"}).status_code == 404


def test_the_query_count_does_not_grow_with_chapters(member, client, django_assert_max_num_queries):
    make_member("B", city="Manchester")
    make_member("C", city="Bristol")
    with django_assert_max_num_queries(3):  # the chapters, their parents
        client.get(URL, {"within": "gb", "q": "e"})


def test_it_does_not_accept_posts(member, client):
    assert client.post(URL, {"within": "gb"}).status_code == 405
