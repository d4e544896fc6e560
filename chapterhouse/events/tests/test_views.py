"""Event pages over HTTP: who sees and does what (outsiders included), the forms' bad
input, the feeds' contents, the map's data, and the lists' query counts."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from chapterhouse.conftest import client_for
from chapterhouse.events import feeds, services
from chapterhouse.events.models import Event, EventSettings, Rsvp
from chapterhouse.members.tests.factories import make_member

from .factories import make_event, soon

pytestmark = pytest.mark.django_db

HACKNEY = "/events/gb/eng/london/hackney/"
NEW = HACKNEY + "new/"


def form_data(**change):
    start = soon().astimezone(ZoneInfo("Europe/London"))
    data = {"title": "Picnic", "description": "Bring **bread**.",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "Europe/London", "address": "Hackney Marshes", "latitude": "51.55",
            "longitude": "-0.03", "online_url": "", "capacity": "", "recurrence": "",
            "is_public": "on", "remind_hours": "24"}
    data.update(change)
    return data


# -- Creating -----------------------------------------------------------------------------

def test_a_facilitator_creates_an_event_by_form(facilitator_client, facilitator):
    assert facilitator_client.get(NEW).status_code == 200
    response = facilitator_client.post(NEW, form_data())
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    # The wall-clock time typed is a time in the event's zone.
    typed = form_data()["starts_at"]
    assert event.starts_at.astimezone(ZoneInfo("Europe/London")).strftime(
        "%Y-%m-%dT%H:%M") == typed
    page = facilitator_client.get(event.get_absolute_url())
    assert page.status_code == 200 and b"<strong>bread</strong>" in page.content


@pytest.mark.parametrize(("change", "says"), [
    ({"ends_at": "2020-01-01T10:00"}, "must end after it starts"),
    ({"capacity": "-1"}, "greater than or equal to 0"),
    ({"repeat": "custom", "recurrence": "FREQ=EVERY;BYWHIM=1"}, "RFC 5545"),
    ({"repeat": "custom"}, "Write the rule, or choose how it repeats."),
    ({"repeat": "weekly", "repeat_count": "3", "repeat_until": "2030-01-01"},
     "Give how many times or the last day, not both."),
    ({"repeat_count": "3"}, "Choose how the event repeats."),
    ({"repeat": "weekly", "repeat_until": "2000-01-01"}, "The last day cannot be before"),
    ({"time_zone": "Nowhere/Else"}, "not a time zone"),
    ({"starts_at": "not a date"}, "Enter a valid date"),
    # The column holds 200 characters: a longer link is the form's error, not a 500.
    ({"online_url": "https://example.org/" + "x" * 200}, "at most 200 characters"),
])
def test_bad_input_shows_a_clear_error_and_stores_nothing(facilitator_client, change, says):
    response = facilitator_client.post(NEW, form_data(**change))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Event.objects.exists()


def test_members_create_events_only_where_the_chapter_allows_it(member_client, member,
                                                                 facilitator):
    assert member_client.get(NEW).status_code == 403
    assert member_client.post(NEW, form_data()).status_code == 403
    EventSettings.objects.create(chapter=member.home_chapter, members_may_create=True)
    assert member_client.post(NEW, form_data()).status_code == 302
    assert Event.objects.get().author == member


def test_outsiders_and_visitors_cannot_create(outsider_client, facilitator):
    assert outsider_client.post(NEW, form_data()).status_code == 403
    response = Client().get(NEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Event.objects.exists()


def test_only_facilitators_change_the_settings(facilitator_client, member_client,
                                               outsider_client, facilitator):
    url = HACKNEY + "settings/"
    assert member_client.get(url).status_code == 403
    assert outsider_client.post(url, {"members_may_create": "on"}).status_code == 403
    assert not EventSettings.objects.exists()
    assert facilitator_client.post(url, {"members_may_create": "on"}).status_code == 302
    assert EventSettings.objects.get().members_may_create


# -- Seeing and answering -----------------------------------------------------------------

def test_the_calendar_lists_upcoming_and_past_events(facilitator, client):
    make_event(author=facilitator, title="Soon picnic")
    make_event(author=facilitator, title="Old picnic", starts_at=soon(days=-5))
    page = client.get(HACKNEY).content.decode()
    assert "Soon picnic" in page and "Old picnic" not in page
    past = client.get(HACKNEY + "?past=1").content.decode()
    assert "Old picnic" in past and "Soon picnic" not in past


def test_a_member_answers_without_javascript(facilitator, member_client, member):
    event = make_event(author=facilitator, capacity=5)
    url = f"/events/e/{event.public_id}/answer/"
    response = member_client.post(url, {"answer": "going"})
    assert response.status_code == 302
    assert Rsvp.objects.get().answer == "going"
    page = member_client.get(event.get_absolute_url()).content.decode()
    assert "Your answer: Going" in page
    assert member_client.get(url).status_code == 405  # GET changes nothing


def test_outsiders_see_public_events_but_cannot_answer(facilitator, outsider_client):
    event = make_event(author=facilitator)
    assert outsider_client.get(event.get_absolute_url()).status_code == 200
    response = outsider_client.post(f"/events/e/{event.public_id}/answer/", {"answer": "going"})
    assert response.status_code == 403
    assert Client().post(f"/events/e/{event.public_id}/answer/",
                         {"answer": "going"}).status_code == 302  # to log in
    assert not Rsvp.objects.exists()


def test_members_only_events_are_404_to_outsiders(facilitator, outsider_client, member_client):
    event = make_event(author=facilitator, is_public=False)
    assert outsider_client.get(event.get_absolute_url()).status_code == 404
    assert Client().get(event.get_absolute_url()).status_code == 404
    assert member_client.get(event.get_absolute_url()).status_code == 200
    assert outsider_client.post(f"/events/e/{event.public_id}/answer/",
                                {"answer": "going"}).status_code == 404


def test_unknown_events_and_occurrences_are_404(facilitator, member_client):
    event = make_event(author=facilitator)
    assert member_client.get("/events/e/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert member_client.get(event.get_absolute_url() + "?on=garbage").status_code == 404
    assert member_client.get(event.get_absolute_url() + "?on=20200101T000000Z").status_code == 404


def test_only_the_author_and_facilitators_edit_and_cancel(facilitator, member_client,
                                                          outsider_client, facilitator_client):
    event = make_event(author=facilitator)
    edit = f"/events/e/{event.public_id}/edit/"
    cancel = f"/events/e/{event.public_id}/cancel/"
    assert member_client.get(edit).status_code == 403
    assert outsider_client.post(cancel).status_code == 403
    assert facilitator_client.get(edit).status_code == 200
    assert facilitator_client.post(edit, form_data(title="Picnic (moved)")).status_code == 302
    assert facilitator_client.post(cancel).status_code == 302
    event.refresh_from_db()
    assert event.title == "Picnic (moved)" and event.is_cancelled


def test_a_facilitator_cancels_one_date_of_a_repeating_event(facilitator, facilitator_client):
    start = soon(days=1)
    event = make_event(author=facilitator, starts_at=start, recurrence="FREQ=DAILY;COUNT=5")
    second = (start + timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    response = facilitator_client.post(f"/events/e/{event.public_id}/cancel-date/",
                                       {"on": second})
    assert response.status_code == 302
    page = facilitator_client.get(event.get_absolute_url() + f"?on={second}").content.decode()
    assert "This date is cancelled." in page


# -- Feeds --------------------------------------------------------------------------------

def test_the_chapter_feed_carries_rules_cancelled_and_moved_dates(facilitator, client):
    start = datetime(2030, 1, 1, 19, tzinfo=ZoneInfo("Europe/London"))
    event = make_event(author=facilitator, starts_at=start, time_zone="Europe/London",
                       recurrence="FREQ=WEEKLY;BYDAY=TU", address="The hall")
    second, third = (start + timedelta(weeks=1), start + timedelta(weeks=2))
    services.change_occurrence(event=event, actor=facilitator, original_start=second,
                               cancelled=True)
    services.change_occurrence(event=event, actor=facilitator, original_start=third,
                               starts_at=third + timedelta(hours=1),
                               ends_at=third + timedelta(hours=3))
    make_event(author=facilitator, title="Members only", is_public=False)
    response = client.get(HACKNEY + "calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = feeds.parse(response.content)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 2  # the series and its moved date; not the members-only one
    series, moved = vevents
    assert series["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert series.decoded("DTSTART") == start
    assert str(series["DTSTART"].params["TZID"]) == "Europe/London"
    assert [d.dt for d in series["EXDATE"].dts] == [second]  # type: ignore[union-attr]
    assert moved.decoded("RECURRENCE-ID") == third
    assert moved.decoded("DTSTART") == third + timedelta(hours=1)
    assert str(series["UID"]) == str(moved["UID"]) and str(series["LOCATION"]) == "The hall"


def test_the_member_feed_is_private_and_resettable(facilitator, member, member_client):
    event = make_event(author=facilitator, title="Going")
    other = make_event(author=facilitator, title="Not going")
    services.answer(event=event, occurrence=event.starts_at, member=member, answer="going")
    services.answer(event=other, occurrence=other.starts_at, member=member, answer="not_going")
    page = member_client.get("/events/mine/")
    assert page.status_code == 200
    token = services.calendar_token_of(member=member).token
    url = f"/events/feed/{token}.ics"
    calendar = feeds.parse(Client().get(url).content)
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["Going"]
    assert member_client.post("/events/mine/reset-feed/").status_code == 302
    assert Client().get(url).status_code == 404
    assert Client().get("/events/feed/guessed.ics").status_code == 404


def test_my_events_needs_a_login(client):
    assert client.get("/events/mine/").status_code == 302


# -- The map ------------------------------------------------------------------------------

def test_the_map_data_lists_upcoming_public_events_with_a_point(facilitator, client):
    make_event(author=facilitator, title="Here", latitude=51.55, longitude=-0.03)
    make_event(author=facilitator, title="Nowhere")
    make_event(author=facilitator, title="Hidden", latitude=1.0, longitude=1.0, is_public=False)
    data = client.get("/events/upcoming.geojson").json()
    assert [f["properties"]["title"] for f in data["features"]] == ["Here"]
    assert data["features"][0]["geometry"]["coordinates"] == [-0.03, 51.55]


# -- Query counts -------------------------------------------------------------------------

def count_queries(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_cost_the_same_whatever_their_length(facilitator, member, member_client,
                                                   django_assert_max_num_queries):
    def grow(n):
        for i in range(n):
            event = make_event(author=facilitator, title=f"E{i}", starts_at=soon(days=i + 1),
                               recurrence="FREQ=WEEKLY;COUNT=3" if i % 2 else "")
            services.answer(event=event, occurrence=event.starts_at, member=member,
                            answer="going")

    grow(2)
    member_client.get(HACKNEY)  # warm the page's caches (breadcrumb, session)
    urls = [HACKNEY, HACKNEY + "?past=1", "/events/mine/", "/events/upcoming.geojson",
            HACKNEY + "calendar.ics",
            f"/events/feed/{services.calendar_token_of(member=member).token}.ics"]
    small = [count_queries(django_assert_max_num_queries, member_client, u) for u in urls]
    grow(6)
    large = [count_queries(django_assert_max_num_queries, member_client, u) for u in urls]
    assert small == large


def test_the_event_page_costs_the_same_whatever_the_answers(facilitator, member_client):
    event = make_event(author=facilitator)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            member_client.get(event.get_absolute_url())
        return len(captured)

    count()  # warm the page's caches (breadcrumb, session)
    first = count()
    for i in range(4):
        services.answer(event=event, occurrence=event.starts_at,
                        member=make_member(f"N{i}", city="London", neighbourhood="Hackney"),
                        answer="going")
    assert count() == first


def test_a_second_visit_answers_on_the_occurrence_page(facilitator):
    start = soon(days=1)
    event = make_event(author=facilitator, starts_at=start, recurrence="FREQ=DAILY;COUNT=3")
    person = make_member("Nia", city="London", neighbourhood="Hackney")
    key = (start + timedelta(days=2)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    response = client_for(person).post(f"/events/e/{event.public_id}/answer/",
                                       {"answer": "maybe", "on": key})
    assert response["Location"].endswith(f"?on={key}")
    assert Rsvp.objects.get().occurrence == start + timedelta(days=2)


def test_the_chapter_navigation_links_its_events_and_international_has_a_calendar(
    member_client, member
):
    page = member_client.get("/c/gb/eng/london/hackney/").content.decode()
    assert f'href="{HACKNEY}"' in page
    assert member_client.get("/events/").status_code == 200
    assert member_client.get("/events/zz/nowhere/").status_code == 404


def test_the_readers_zone_is_shown_only_when_its_clock_differs():
    from zoneinfo import ZoneInfo

    from chapterhouse.events.views import _differs

    winter, summer = datetime(2027, 1, 12, 18, tzinfo=UTC), datetime(2027, 7, 12, 18, tzinfo=UTC)
    london, utc = ZoneInfo("Europe/London"), ZoneInfo("UTC")
    assert not _differs(utc, london, winter)  # the same clock: one line
    assert _differs(utc, london, summer)  # British Summer Time: an hour apart
    assert _differs(ZoneInfo("Asia/Tokyo"), london, winter)


# -- Repeating, chosen in words -----------------------------------------------------------

@pytest.mark.parametrize(("repeat", "extra", "rule"), [
    ("weekly", {"repeat_count": "4"}, "FREQ=WEEKLY;COUNT=4"),
    ("fortnightly", {}, "FREQ=WEEKLY;INTERVAL=2"),
    ("daily", {"repeat_count": "5"}, "FREQ=DAILY;COUNT=5"),
    ("monthly_day", {}, "FREQ=MONTHLY"),
])
def test_a_repetition_chosen_in_words_is_stored_as_its_rule(facilitator_client, repeat, extra,
                                                            rule):
    response = facilitator_client.post(NEW, form_data(repeat=repeat, **extra))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.recurrence == rule
    # The form for changing it shows the same choice again.
    edit = facilitator_client.get(event.get_absolute_url() + "edit/").content.decode()
    assert f'<option value="{repeat}" selected>' in edit


def test_the_same_weekday_of_the_month_and_a_last_day():
    from chapterhouse.events import recurrence

    london = ZoneInfo("Europe/London")
    second_tuesday = datetime(2027, 3, 9, 19, 0, tzinfo=london)
    assert recurrence.compose("monthly_weekday", second_tuesday) == "FREQ=MONTHLY;BYDAY=2TU"
    fifth_monday = datetime(2027, 3, 29, 19, 0, tzinfo=london)
    assert recurrence.compose("monthly_weekday", fifth_monday) == "FREQ=MONTHLY;BYDAY=-1MO"
    rule = recurrence.compose("weekly", second_tuesday,
                              until=datetime(2027, 6, 1, tzinfo=london).date())
    assert rule == "FREQ=WEEKLY;UNTIL=20270601T225959Z"  # the day's end in London (BST)
    assert recurrence.clean_rule(rule) == rule
    assert recurrence.choices_for(rule, second_tuesday) == {
        "repeat": "weekly", "recurrence": "", "repeat_until": date(2027, 6, 1)}
    assert recurrence.describe(rule, second_tuesday) == "Every week on Tuesday, until 1 June 2027"
    assert recurrence.describe("FREQ=MONTHLY;BYDAY=2TU;COUNT=6", second_tuesday) == (
        "Every month on Tuesday of its week 2, 6 times in all")
    assert recurrence.describe("FREQ=WEEKLY;BYDAY=TU,TH", second_tuesday) == (
        "By the rule FREQ=WEEKLY;BYDAY=TU,TH")
    assert recurrence.choices_for("FREQ=WEEKLY;BYDAY=TU,TH", second_tuesday) == {
        "repeat": "custom", "recurrence": "FREQ=WEEKLY;BYDAY=TU,TH"}
