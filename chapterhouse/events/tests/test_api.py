"""Events over the REST API: the pages' rules and services, bad input refused with
nothing stored, and the lists' cost."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.events import services
from chapterhouse.events.models import Event, EventSettings, Rsvp
from chapterhouse.members.tests.factories import make_member, token_client_for

from .factories import make_event, soon

pytestmark = pytest.mark.django_db

LIST = "/api/v1/events/"
MINE = "/api/v1/events/mine/"
HACKNEY = "gb/eng/london/hackney"


def one(event):
    return f"{LIST}{event.public_id}/"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, data, content_type="application/json")


def key(when):
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def create_data(**change):
    start = soon()
    data = {"chapter": HACKNEY, "title": "By API", "description": "Bring **bread**.",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
            "time_zone": "Europe/London", "capacity": 10}
    data.update(change)
    return data


# -- Reading ------------------------------------------------------------------------------

def test_anyone_lists_the_chapters_upcoming_occurrences(client, facilitator):
    start = soon(days=1)
    make_event(author=facilitator, title="Weekly", starts_at=start,
               recurrence="FREQ=WEEKLY;COUNT=3")
    make_event(author=facilitator, title="Once", starts_at=soon(days=2))
    make_event(author=facilitator, title="Members only", is_public=False)
    make_event(author=facilitator, title="Long ago", starts_at=soon(days=-30))
    body = client.get(LIST, {"chapter": HACKNEY}).json()
    assert [row["title"] for row in body["results"]] == ["Weekly", "Once", "Weekly", "Weekly"]
    first = body["results"][0]
    assert first["key"] == key(start) and not first["cancelled"]
    assert first["event"]["chapter"]["url_path"] == HACKNEY and first["event"]["repeats"]
    assert first["web_url"].endswith(f"?on={key(start)}")


def test_members_see_their_chapters_members_only_events(member_client, facilitator):
    make_event(author=facilitator, title="Members only", is_public=False)
    rows = member_client.get(LIST, {"chapter": HACKNEY}).json()["results"]
    assert [row["title"] for row in rows] == ["Members only"]


def test_the_window_is_given_by_dates_and_bounded(client, facilitator):
    make_event(author=facilitator, title="Soon", starts_at=soon(days=2))
    make_event(author=facilitator, title="Later", starts_at=soon(days=40))
    make_event(author=facilitator, title="Past", starts_at=soon(days=-10))
    today = timezone.now().astimezone(UTC).date()
    window = {"chapter": HACKNEY, "from": str(today + timedelta(days=30)),
              "to": str(today + timedelta(days=60))}
    response = client.get(LIST, window)
    assert [r["title"] for r in response.json()["results"]] == ["Later"], response.json()
    past = {"chapter": HACKNEY, "from": str(today - timedelta(days=20)), "to": str(today)}
    assert [r["title"] for r in client.get(LIST, past).json()["results"]] == ["Past"]
    for bad in [{"from": "yesterday"}, {"from": "2026-01-01T10:00:00"},
                {"from": str(today), "to": str(today - timedelta(days=2))},
                {"from": str(today), "to": str(today + timedelta(days=400))}]:
        response = client.get(LIST, {"chapter": HACKNEY, **bad})
        assert response.status_code == 400, bad


def test_the_list_needs_a_known_chapter_and_a_whole_page_number(client, facilitator):
    assert client.get(LIST).status_code == 400
    assert client.get(LIST, {"chapter": "gb/nowhere"}).status_code == 404
    assert client.get(LIST, {"chapter": HACKNEY, "page": "abc"}).status_code == 400
    assert client.get(LIST, {"chapter": "international"}).status_code == 200


def test_one_event_with_its_rule_occurrences_and_answers(facilitator, member, neighbour):
    start = soon(days=1)
    event = make_event(author=facilitator, starts_at=start, recurrence="FREQ=DAILY;COUNT=4",
                       capacity=1)
    services.answer(event=event, occurrence=start, member=neighbour, answer="going")
    services.answer(event=event, occurrence=start, member=member, answer="going")
    body = token_client_for(member).get(one(event)).json()
    assert body["recurrence"] == "FREQ=DAILY;COUNT=4"
    assert [o["key"] for o in body["next_occurrences"]] == [
        key(start + timedelta(days=n)) for n in range(4)]
    answers = body["occurrence"]["answers"]
    assert (answers["going"], answers["waiting"], answers["mine"],
            answers["place_in_line"]) == (1, 1, "waiting", 1)
    assert body["occurrence"]["may_answer"] and not body["may_change"]
    second = token_client_for(member).get(one(event), {"on": key(start + timedelta(days=1))})
    assert second.json()["occurrence"]["answers"]["mine"] is None
    assert token_client_for(member).get(one(event), {"on": "20200101T000000Z"}
                                        ).status_code == 404


def test_a_members_only_event_is_404_to_outsiders_and_visitors(facilitator, outsider, client):
    event = make_event(author=facilitator, is_public=False)
    outsider_client = token_client_for(outsider)
    assert outsider_client.get(one(event)).status_code == 404
    assert client.get(one(event)).status_code == 404
    assert post_json(outsider_client, one(event) + "answer/", {"answer": "going"}
                     ).status_code == 404
    assert patch_json(outsider_client, one(event), {"title": "x"}).status_code == 404
    assert not Rsvp.objects.exists()
    assert client.get(f"{LIST}00000000-0000-0000-0000-000000000000/").status_code == 404


# -- Creating and changing ----------------------------------------------------------------

def test_a_facilitator_creates_an_event(facilitator):
    response = post_json(token_client_for(facilitator), LIST, create_data())
    assert response.status_code == 201, response.json()
    event = Event.objects.get()
    assert (event.title, event.author, event.capacity, event.time_zone) == (
        "By API", facilitator, 10, "Europe/London")
    assert response.json()["public_id"] == str(event.public_id)
    assert response.json()["description_html"] == "<p>Bring <strong>bread</strong>.</p>"


def test_a_time_without_offset_is_read_in_the_events_zone(facilitator):
    data = create_data(starts_at="2030-07-01T19:00", ends_at="2030-07-01T21:00")
    assert post_json(token_client_for(facilitator), LIST, data).status_code == 201
    # London is an hour ahead of UTC in July.
    assert Event.objects.get().starts_at.astimezone(UTC).hour == 18


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_those_who_may_not_create_get_403_and_nothing_is_stored(request, persona,
                                                               facilitator):
    client = token_client_for(request.getfixturevalue(persona))
    assert post_json(client, LIST, create_data()).status_code == 403
    assert not Event.objects.exists()


def test_members_create_where_the_chapter_allows_it(member, facilitator):
    EventSettings.objects.create(chapter=member.home_chapter, members_may_create=True)
    assert post_json(token_client_for(member), LIST, create_data()).status_code == 201


def test_without_credentials_writing_is_401(client, facilitator):
    event = make_event(author=facilitator)
    assert post_json(client, LIST, create_data()).status_code == 401
    assert patch_json(client, one(event), {"title": "x"}).status_code == 401
    assert post_json(client, one(event) + "cancel/", {}).status_code == 401
    assert post_json(client, one(event) + "answer/", {"answer": "going"}).status_code == 401
    assert client.get(MINE).status_code == 401
    assert Event.objects.get().title == "Picnic" and not Rsvp.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "non_field_errors"),
    ({"ends_at": soon(days=2).isoformat()}, "non_field_errors"),  # ends the day before
    ({"time_zone": "Mars/Olympus"}, "non_field_errors"),
    ({"recurrence": "FREQ=HOURLY"}, "non_field_errors"),
    ({"capacity": -1}, "capacity"),
    ({"latitude": 51.5}, "non_field_errors"),
    ({"starts_at": "soon"}, "starts_at"),
    ({"online_url": "https://example.org/" + "x" * 200}, "online_url"),
    ({"capacity": "10"}, "capacity"),
    ({"is_public": "0"}, "is_public"),
    ({"latitude": "51.5", "longitude": 0}, "latitude"),
    ({"title": 12}, "title"),
    ({"author": "someone"}, "author"),
    ({"cancelled_at": "2020-01-01T00:00:00Z"}, "cancelled_at"),
])
def test_bad_events_are_400_and_nothing_is_stored(facilitator, change, field):
    data = create_data(**change)
    if "starts_at" in change and "ends_at" not in change:
        data["ends_at"] = "2030-07-01T21:00"
    response = post_json(token_client_for(facilitator), LIST, data)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Event.objects.exists()


def test_the_author_changes_some_fields_and_keeps_the_others(facilitator, member):
    event = make_event(author=facilitator, capacity=5, address="The hall")
    response = patch_json(token_client_for(facilitator), one(event), {"title": "Moved"})
    assert response.status_code == 200, response.json()
    changed = Event.objects.get()
    assert (changed.title, changed.capacity, changed.address, changed.starts_at) == (
        "Moved", 5, "The hall", event.starts_at)


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"ends_at": "2000-01-01T00:00:00Z"}, "non_field_errors"),
    ({"chapter": "international"}, "chapter"),
    ({"public_id": "00000000-0000-0000-0000-000000000000"}, "public_id"),
])
def test_bad_changes_are_400_and_change_nothing(facilitator, data, field):
    event = make_event(author=facilitator)
    response = patch_json(token_client_for(facilitator), one(event), data)
    assert response.status_code == 400 and field in response.json(), response.json()
    unchanged = Event.objects.get()
    assert (unchanged.title, unchanged.ends_at) == ("Picnic", event.ends_at)


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_someone_elses_event_is_403_and_unchanged(request, persona, facilitator):
    event = make_event(author=facilitator)
    client = token_client_for(request.getfixturevalue(persona))
    assert patch_json(client, one(event), {"title": "Hijack"}).status_code == 403
    assert post_json(client, one(event) + "cancel/", {}).status_code == 403
    unchanged = Event.objects.get()
    assert unchanged.title == "Picnic" and not unchanged.is_cancelled


def test_the_author_cancels_and_then_no_one_answers(facilitator, member):
    event = make_event(author=facilitator)
    response = post_json(token_client_for(facilitator), one(event) + "cancel/", {})
    assert response.status_code == 200 and response.json()["cancelled_at"]
    assert post_json(token_client_for(facilitator), one(event) + "cancel/", {"why": "x"}
                     ).status_code == 400
    refused = post_json(token_client_for(member), one(event) + "answer/", {"answer": "going"})
    assert refused.status_code == 400 and "non_field_errors" in refused.json()
    assert not Rsvp.objects.exists()


# -- Answering ----------------------------------------------------------------------------

def test_answering_fills_the_event_then_its_waiting_list(facilitator, member, neighbour):
    event = make_event(author=facilitator, capacity=1)
    first = post_json(token_client_for(member), one(event) + "answer/", {"answer": "going"})
    assert first.status_code == 200
    assert first.json()["answers"]["mine"] == "going"
    second = post_json(token_client_for(neighbour), one(event) + "answer/",
                       {"answer": "going"})
    assert (second.json()["answers"]["mine"], second.json()["answers"]["place_in_line"]) == (
        "waiting", 1)
    # The first one leaves: the one in line goes.
    post_json(token_client_for(member), one(event) + "answer/", {"answer": "not_going"})
    assert Rsvp.objects.get(member=neighbour).answer == "going"


def test_one_occurrence_of_a_repeating_event_is_answered(facilitator, member):
    start = soon(days=1)
    event = make_event(author=facilitator, starts_at=start, recurrence="FREQ=DAILY;COUNT=3")
    third = start + timedelta(days=2)
    response = post_json(token_client_for(member), one(event) + "answer/",
                         {"answer": "maybe", "occurrence": key(third)})
    assert response.status_code == 200
    assert response.json()["occurrence"]["key"] == key(third)
    assert Rsvp.objects.get().occurrence == third


@pytest.mark.parametrize("data, field", [
    ({"answer": "waiting"}, "answer"),
    ({"answer": "yes"}, "answer"),
    ({}, "answer"),
    ({"answer": "going", "occurrence": "20200101T000000Z"}, "occurrence"),
    ({"answer": "going", "occurrence": "tomorrow"}, "occurrence"),
    ({"answer": "going", "member": "someone"}, "member"),
])
def test_bad_answers_are_400_and_nothing_is_stored(facilitator, member, data, field):
    event = make_event(author=facilitator)
    response = post_json(token_client_for(member), one(event) + "answer/", data)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Rsvp.objects.exists()


def test_outsiders_may_not_answer_a_public_event(facilitator, outsider):
    event = make_event(author=facilitator)
    response = post_json(token_client_for(outsider), one(event) + "answer/",
                         {"answer": "going"})
    assert response.status_code == 403
    assert not Rsvp.objects.exists()


def test_my_events_lists_my_answers_ahead(facilitator, member, neighbour):
    going = make_event(author=facilitator, title="Going")
    make_event(author=facilitator, title="Not answered")
    declined = make_event(author=facilitator, title="Declined")
    services.answer(event=going, occurrence=going.starts_at, member=member, answer="going")
    services.answer(event=going, occurrence=going.starts_at, member=neighbour, answer="going")
    services.answer(event=declined, occurrence=declined.starts_at, member=member,
                    answer="not_going")
    rows = token_client_for(member).get(MINE).json()["results"]
    assert [(r["event"]["title"], r["answer"]) for r in rows] == [("Going", "going")]
    assert rows[0]["occurrence_key"] == key(going.starts_at)


# -- Cost ---------------------------------------------------------------------------------

def _count(client, url, params):
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member", "facilitator"])
def test_the_lists_cost_the_same_whatever_their_length(request, persona, facilitator, member):
    client = Client() if persona is None else token_client_for(
        request.getfixturevalue(persona))

    def grow(n):
        for i in range(n):
            event = make_event(author=facilitator, title=f"E{i}", starts_at=soon(days=i + 1),
                               recurrence="FREQ=WEEKLY;COUNT=3" if i % 2 else "",
                               is_public=bool(i % 3))
            services.answer(event=event, occurrence=event.starts_at, member=member,
                            answer="going")

    grow(2)
    lists = [(LIST, {"chapter": HACKNEY}), (LIST, {"chapter": "gb/eng/london"})]
    if persona is not None:
        lists.append((MINE, {}))
    small = [_count(client, url, params) for url, params in lists]
    grow(6)
    assert [_count(client, url, params) for url, params in lists] == small


def test_an_event_costs_the_same_whatever_its_answers(facilitator, member):
    event = make_event(author=facilitator, capacity=2)
    client = token_client_for(member)
    small = _count(client, one(event), {})
    for index in range(5):
        someone = make_member(f"Someone {index}", city="London", neighbourhood="Hackney")
        services.answer(event=event, occurrence=event.starts_at, member=someone,
                        answer="going")
    assert _count(client, one(event), {}) == small
