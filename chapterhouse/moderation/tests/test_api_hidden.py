"""Hidden content over the REST API as on the pages (issue #18, moderation): a hidden
blog post, event, mutual-aid entry, resource or lesson carries `hidden.reason`, and its
text is left out for everyone but its author, in lists and alone; the hidings of a
page of items cost one query whatever their number."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.blogs.tests.factories import make_post
from chapterhouse.conftest import client_for
from chapterhouse.events import services as events
from chapterhouse.events.tests.factories import make_event
from chapterhouse.moderation import services
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.resources.tests.factories import make_lesson, make_link

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"
SECRET = "Secret words"


def made(kind, author):
    """One item of `kind` by `author` with SECRET in its title, its list and its page."""
    item: Any
    if kind == "blog":
        item = make_post(author, title=SECRET, body=f"{SECRET} in the body")
        return item, "/api/v1/blog-posts/", {"chapter": HACKNEY}
    if kind == "event":
        item = make_event(author=author, title=SECRET, description=f"{SECRET} described",
                          address=f"{SECRET} street")
        return item, "/api/v1/events/", {"chapter": HACKNEY}
    if kind == "aid":
        item = make_entry(author, title=SECRET, description=f"{SECRET} described")
        return item, "/api/v1/mutual-aid/", {"chapter": HACKNEY}
    if kind == "resource":
        item = make_link(author, title=SECRET, url="https://secret.example/words")
        return item, "/api/v1/resources/", {"chapter": HACKNEY}
    item = make_lesson(author, title=SECRET, body=f"{SECRET} learned")
    return item, "/api/v1/lessons/", {}


KINDS = ["blog", "event", "aid", "resource", "lesson"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_hidden_item_says_why_and_keeps_its_text_for_its_author_only(
        kind, member, facilitator, neighbour):
    item, listing, query = made(kind, member)
    services.hide(target=item, moderator=facilitator, reason="Off topic here")
    detail = f"{listing}{item.public_id}/"
    for reader, sees in ((client_for(neighbour), False), (client_for(facilitator), False),
                         (client_for(member), True)):
        one = reader.get(detail)
        assert one.status_code == 200, one.content
        assert one.json()["hidden"] == {"reason": "Off topic here"}
        assert (SECRET in one.content.decode()) is sees
        rows = reader.get(listing, query).json()["results"]
        assert rows and all(row["hidden"] == {"reason": "Off topic here"} for row in rows)
        assert (SECRET in str(rows)) is sees


@pytest.mark.parametrize("kind", KINDS)
def test_a_shown_item_says_nothing_is_hidden(kind, member, neighbour):
    item, listing, query = made(kind, member)
    reader = client_for(neighbour)
    assert reader.get(f"{listing}{item.public_id}/").json()["hidden"] is None
    rows = reader.get(listing, query).json()["results"]
    assert rows[0]["hidden"] is None and SECRET in str(rows)


def test_restored_content_is_shown_again(member, facilitator, neighbour):
    item, listing, query = made("aid", member)
    services.hide(target=item, moderator=facilitator, reason="Off topic here")
    services.restore(target=item, moderator=facilitator, reason="Fine after all")
    rows = client_for(neighbour).get(listing, query).json()["results"]
    assert rows[0]["hidden"] is None and SECRET in str(rows)


def test_the_hidings_of_a_list_cost_one_query_whatever_their_number(
        member, facilitator, neighbour):
    reader = client_for(neighbour)
    make_entry(member, title="First")
    reader.get("/api/v1/mutual-aid/", {"chapter": HACKNEY})
    with CaptureQueriesContext(connection) as few:
        assert len(reader.get("/api/v1/mutual-aid/", {"chapter": HACKNEY}
                              ).json()["results"]) == 1
    for number in range(5):
        entry = make_entry(member, title=f"More {number}")
        services.hide(target=entry, moderator=facilitator, reason="Spam")
    with CaptureQueriesContext(connection) as many:
        assert len(reader.get("/api/v1/mutual-aid/", {"chapter": HACKNEY}
                              ).json()["results"]) == 6
    assert len(many) == len(few)


def test_your_own_answers_leave_a_hidden_events_text_out(member, facilitator, neighbour):
    event = make_event(author=member, title=SECRET, address=f"{SECRET} street")
    events.answer(event=event, occurrence=event.starts_at, member=neighbour, answer="going")
    services.hide(target=event, moderator=facilitator, reason="Off topic here")
    rows = client_for(neighbour).get("/api/v1/events/mine/").json()["results"]
    assert [row["hidden"] for row in rows] == [{"reason": "Off topic here"}]
    assert SECRET not in str(rows) and rows[0]["answer"] == "going"
