"""The search page and the header's box: no JavaScript, errors in the form (400), the
reader's permissions, the cost."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.conftest import client_for
from chapterhouse.discussions.tests.factories import make_thread
from chapterhouse.events.tests.factories import make_event
from chapterhouse.members.tests.factories import make_member

from .factories import WORD, make_corpus, reindex

pytestmark = pytest.mark.django_db

PAGE = "/search/"


def test_an_empty_query_shows_just_the_form(client):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(PAGE, params)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'role="search"' in html and 'name="q"' in html
        assert 'class="search-result"' not in html


def test_results_are_labelled_by_kind_counted_and_highlighted(member_client, member):
    make_corpus(member)
    make_thread(member, title="Escaping", body=f"`<script>alert(1)</script>` {WORD}")
    reindex()
    response = member_client.get(PAGE, {"q": WORD})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="search-result"') == 10
    assert f"<mark>{WORD}</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Chat messages" in html and "Blog posts" in html  # kinds labelled, facets
    assert "?q=quokka&amp;kind=event" in html


def test_the_kind_filter_and_the_facets(member_client, member):
    make_corpus(member)
    reindex()
    html = member_client.get(PAGE, {"q": WORD, "kind": "event"}).content.decode()
    assert html.count('class="search-result"') == 1
    assert 'data-kind="event"' in html
    # The other kinds are still counted, to choose from.
    assert "?q=quokka&amp;kind=post" in html


@pytest.mark.parametrize("params, message", [
    ({"q": "a" * 201}, "at most 200 characters"),
    ({"q": "!!!"}, "at least one word"),
    ({"q": WORD, "kind": "secrets"}, "Select a valid choice"),
    ({"q": WORD, "chapter": "xx/nowhere"}, "no chapter at this address"),
    ({"q": WORD, "since": "yesterday"}, "Enter a valid date"),
    ({"q": WORD, "since": "2026-05-02", "until": "2026-05-01"}, "end date is before"),
])
def test_bad_input_is_a_400_with_the_error_in_the_form(client, params, message):
    response = client.get(PAGE, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_chapter_filter_takes_a_chapters_address(member_client, member, outsider):
    make_event(author=member, title=f"{WORD} in Hackney")
    make_event(author=outsider, title=f"{WORD} in Lyon")
    reindex()
    html = member_client.get(PAGE, {"q": WORD, "chapter": "fr"}).content.decode()
    assert f"<mark>{WORD}</mark> in Lyon" in html
    assert f"<mark>{WORD}</mark> in Hackney" not in html
    html = member_client.get(PAGE, {"q": WORD, "chapter": "international"}).content.decode()
    assert f"<mark>{WORD}</mark> in Lyon" in html
    assert f"<mark>{WORD}</mark> in Hackney" in html


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_outsiders_never_see_members_only_things(member, outsider, who):
    make_event(author=member, title=f"Members {WORD}", is_public=False)
    make_event(author=member, title=f"Public {WORD}")
    reindex()
    client = Client() if who == "anonymous" else client_for(outsider)
    html = client.get(PAGE, {"q": WORD}).content.decode()
    assert f"Public <mark>{WORD}</mark>" in html
    assert f"Members <mark>{WORD}</mark>" not in html
    assert "1 result" in html


def test_results_are_paged(member_client, member):
    for number in range(25):
        make_thread(member, title=f"Thread {number}", body=f"{WORD} {number}")
    reindex()
    first = member_client.get(PAGE, {"q": WORD}).content.decode()
    assert first.count('class="search-result"') == 20 and "25 results" in first
    assert "?q=quokka&amp;page=2" in first
    second = member_client.get(PAGE, {"q": WORD, "page": "2"}).content.decode()
    assert second.count('class="search-result"') == 5


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_the_page_costs_the_same_queries_whatever_it_finds(
        member, outsider, who, django_assert_max_num_queries):
    client = Client() if who == "anonymous" else client_for(
        member if who == "member" else outsider)
    make_event(author=member, title=f"{WORD} 0")
    reindex()
    client.get(PAGE, {"q": WORD})  # warm the caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(PAGE, {"q": WORD}).status_code == 200
    make_corpus(member)
    for number in range(20):
        author = make_member(f"Author {number}", city="London", neighbourhood="Hackney")
        make_event(author=author, title=f"{WORD} {number + 1}")
    reindex()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(PAGE, {"q": WORD}).status_code == 200


def test_the_header_has_a_search_box_that_works_without_javascript(client):
    html = client.get("/c/").content.decode()
    assert '<form role="search" method="get" action="/search/"' in html
    assert '<label for="site-search-q"' in html and 'id="site-search-q"' in html


def test_only_get_is_allowed(client):
    assert client.post(PAGE, {"q": WORD}).status_code == 405


def test_a_common_word_ranks_the_newest_matches_and_says_there_are_more(
        member_client, member, monkeypatch):
    # Ranking reads each candidate's text: only the MAX_RESULTS newest are ranked.
    from chapterhouse.search import selectors

    monkeypatch.setattr(selectors, "MAX_RESULTS", 5)
    make_thread(member, title="The oldest", body=f"{WORD} " * 9)
    for number in range(6):
        make_thread(member, title=f"Thread {number}", body=f"{WORD} " * (number % 3 + 1))
    reindex()
    html = member_client.get(PAGE, {"q": WORD}).content.decode()
    assert html.count('class="search-result"') == 5
    assert "The oldest" not in html
    # The newest five, best first: Thread 5 and 2 say the word three times.
    order = [html.index(f"Thread {n}<") for n in (5, 2, 4, 1, 3)]
    assert order == sorted(order)
    assert "More than 5 results: the best of the 5 newest are shown." in html
    assert '<span class="muted">5+</span>' in html
    # A search that finds no more than the limit says how many it found.
    html = member_client.get(PAGE, {"q": "oldest"}).content.decode()
    assert "1 result<" in html and "More than" not in html


def test_a_search_that_finds_nothing_says_so(member_client, member):
    make_event(author=member, title=f"Picnic {WORD}")
    reindex()
    html = member_client.get(PAGE, {"q": "zebra"}).content.decode()
    assert "0 results" in html and "Nothing found. Try other words, or fewer filters." in html
