"""Search over the REST API: the page's rule, bad input refused, the cost."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.chat import services as chat_services
from chapterhouse.events.tests.factories import make_event
from chapterhouse.members.tests.factories import make_member, token_client_for

from .factories import WORD, make_corpus, reindex

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"


def test_results_facets_and_snippets(member):
    make_corpus(member)
    reindex()
    body = token_client_for(member).get(URL, {"q": WORD}).json()
    assert body["count"] == 9
    assert body["facets"]["message"] == 1
    event = next(row for row in body["results"] if row["kind"] == "event")
    assert event["title_html"] == "<mark>Quokka</mark> walk"
    assert event["kind_label"] == "Events" and event["web_url"].startswith("/events/")


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_outsiders_neither_find_nor_count_members_only_things(member, outsider, who):
    make_event(author=member, title=f"Members {WORD}", is_public=False)
    make_event(author=member, title=f"Public {WORD}")
    room = chat_services.create_room(chapter=member.home_chapter, creator=member,
                                     name="Room", access="invite")
    chat_services.post_message(room=room, author=member, text=f"{WORD} talk")
    reindex()
    client = Client() if who == "anonymous" else token_client_for(outsider)
    body = client.get(URL, {"q": WORD}).json()
    assert [row["title_html"] for row in body["results"]] == [f"Public <mark>{WORD}</mark>"]
    assert body["count"] == 1 and body["facets"] == {"event": 1}


@pytest.mark.parametrize("params, field", [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"q": '"" ** --'}, "q"),
    ({"q": WORD, "kind": "nope"}, "kind"),
    ({"q": WORD, "chapter": "no/such/place"}, "chapter"),
    ({"q": WORD, "until": "31/12/2026"}, "until"),
])
def test_bad_input_is_a_400_naming_the_parameter(client, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_filters(member, outsider):
    make_event(author=member, title=f"{WORD} here")
    make_event(author=outsider, title=f"{WORD} there")
    reindex()
    client = token_client_for(member)
    body = client.get(URL, {"q": WORD, "chapter": "gb/eng"}).json()
    assert [row["title_html"] for row in body["results"]] == [f"<mark>{WORD}</mark> here"]
    assert client.get(URL, {"q": WORD, "kind": "post"}).json()["count"] == 0


@pytest.mark.parametrize("who", ["member", "anonymous"])
def test_the_endpoint_costs_the_same_queries_whatever_it_finds(
        member, who, django_assert_max_num_queries):
    client = Client() if who == "anonymous" else token_client_for(member)
    make_event(author=member, title=f"{WORD} 0")
    reindex()
    client.get(URL, {"q": WORD})
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"q": WORD}).status_code == 200
    make_corpus(member)
    for number in range(25):
        author = make_member(f"Author {number}", city="London", neighbourhood="Hackney")
        make_event(author=author, title=f"{WORD} {number + 1}")
    reindex()
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(URL, {"q": WORD}).json()
    assert len(body["results"]) == 20
