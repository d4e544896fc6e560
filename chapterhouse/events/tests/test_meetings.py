"""Meetings: an event's agenda, its minutes and the votes entered there, over HTTP and
through the services (outsiders included)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.decisions.models import Decision
from chapterhouse.decisions.tests.factories import in_deliberation, set_rule
from chapterhouse.events import services
from chapterhouse.events.models import AgendaItem, MeetingDecision, Minutes

from .factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(facilitator):
    """A public meeting of Hackney that started an hour ago."""
    return make_event(author=facilitator, title="General assembly",
                      starts_at=timezone.now() - timedelta(hours=1), address="Hackney hall")


@pytest.fixture
def future(facilitator):
    return make_event(author=facilitator, title="Next assembly")


def url(event, page):
    return f"/events/e/{event.public_id}/{page}"


def vote_data(**change):
    data = {"category": "routine", "title": "Paint the hall", "text": "Green.",
            "counts": "yes: 12\nno: 5\nabstain: 2", "attendance": "20",
            "counted_by": "Sam and Priya"}
    data.update(change)
    return data


# -- The agenda ---------------------------------------------------------------------------

def test_the_author_builds_an_agenda_linking_a_proposal(facilitator_client, facilitator,
                                                       future, client):
    proposal = in_deliberation(facilitator, title="Plant trees")
    assert facilitator_client.get(url(future, "agenda/")).status_code == 200
    response = facilitator_client.post(url(future, "agenda/"), {
        "title": "Trees", "notes": "Ten minutes",
        "proposal": f"https://example.org{proposal.get_absolute_url()}"})
    assert response.status_code == 302
    facilitator_client.post(url(future, "agenda/"), {"title": "Any other business"})
    items = list(AgendaItem.objects.order_by("position"))
    assert [(i.title, i.proposal) for i in items] == [("Trees", proposal),
                                                     ("Any other business", None)]
    page = client.get(future.get_absolute_url()).content.decode()
    assert "Agenda" in page and "Plant trees" in page and "Any other business" in page


def test_items_move_and_go(facilitator_client, facilitator, future):
    for title in ("One", "Two", "Three"):
        services.add_agenda_item(event=future, actor=facilitator, title=title)
    facilitator_client.post(url(future, "agenda/3/"), {"move": "up"})
    assert list(AgendaItem.objects.order_by("position").values_list("title", flat=True)) == [
        "One", "Three", "Two"]
    facilitator_client.post(url(future, "agenda/1/"), {"move": "up"})  # at the top: nothing
    facilitator_client.post(url(future, "agenda/1/"), {"remove": "1"})
    assert list(AgendaItem.objects.order_by("position").values_list("title", flat=True)) == [
        "Three", "Two"]
    assert facilitator_client.post(url(future, "agenda/9/"), {"remove": "1"}).status_code == 404


@pytest.mark.parametrize(("data", "says"), [
    ({"title": ""}, "This field is required"),
    ({"title": "X", "proposal": "not a proposal"}, "Link a published proposal"),
])
def test_a_bad_agenda_item_is_refused(facilitator_client, future, data, says):
    response = facilitator_client.post(url(future, "agenda/"), data)
    assert response.status_code == 400 and says in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_a_proposal_of_another_chapter_is_not_linked(facilitator, outsider, future):
    elsewhere = in_deliberation(outsider, title="Lyon's matter")
    with pytest.raises(services.MeetingError):
        services.add_agenda_item(event=future, actor=facilitator, title="X",
                                 proposal=str(elsewhere.public_id))


def test_members_and_outsiders_cannot_touch_the_agenda(member_client, outsider_client,
                                                      future, client):
    for who in (member_client, outsider_client):
        assert who.get(url(future, "agenda/")).status_code == 403
        assert who.post(url(future, "agenda/"), {"title": "Mine"}).status_code == 403
        assert who.get(url(future, "minutes/")).status_code == 403
    assert client.get(url(future, "agenda/")).status_code == 302  # to the login
    assert not AgendaItem.objects.exists()


def test_a_members_only_meeting_is_hidden_from_outsiders(facilitator, outsider_client):
    hidden = make_event(author=facilitator, is_public=False,
                        starts_at=timezone.now() - timedelta(hours=1))
    for page in ("agenda/", "minutes/"):
        assert outsider_client.get(url(hidden, page)).status_code == 404
    assert outsider_client.post(url(hidden, "minutes/vote/"), vote_data()).status_code == 404


# -- The minutes ----------------------------------------------------------------------------

def test_minutes_are_written_after_the_start(facilitator_client, meeting, client):
    assert facilitator_client.get(url(meeting, "minutes/")).status_code == 200
    response = facilitator_client.post(url(meeting, "minutes/"), {"text": "We met. **Ten** came."})
    assert response.status_code == 302
    assert Minutes.objects.get().text == "We met. **Ten** came."
    assert "<strong>Ten</strong>" in client.get(meeting.get_absolute_url()).content.decode()


def test_minutes_before_the_start_are_refused(facilitator_client, future):
    response = facilitator_client.post(url(future, "minutes/"), {"text": "Too early"})
    assert response.status_code == 400
    assert "once the event has started" in response.content.decode()
    assert not Minutes.objects.exists()


# -- A vote taken at the meeting ------------------------------------------------------------

def test_a_facilitator_records_a_vote_that_becomes_a_decision(facilitator_client, facilitator,
                                                             meeting, client):
    set_rule(facilitator.home_chapter, "routine", meeting_votes=True)
    page = facilitator_client.get(url(meeting, "minutes/")).content.decode()
    assert "Record a vote taken here" in page
    response = facilitator_client.post(url(meeting, "minutes/vote/"), vote_data())
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == "passed"
    assert decision.rule["meeting"]["where"] == "Hackney hall"
    assert decision.rule["meeting"]["url"] == meeting.get_absolute_url() + "#minutes"
    assert MeetingDecision.objects.get().decision == decision
    event_page = client.get(meeting.get_absolute_url()).content.decode()
    assert f"/decisions/d/{decision.proposal.public_id}/" in event_page


def test_a_plurality_vote_takes_option_labels(facilitator_client, facilitator, meeting):
    set_rule(facilitator.home_chapter, "picnic", method="plurality", params={},
             deliberation_days=1, amendment_days=0, voting_days=1, meeting_votes=True)
    response = facilitator_client.post(url(meeting, "minutes/vote/"), vote_data(
        category="picnic", counts="The park: 3\nThe river = 9"))
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.winners == ["o2"]
    assert decision.options[1]["label"] == "The river"


def test_a_vote_the_rules_do_not_allow_is_refused(facilitator_client, meeting):
    page = facilitator_client.get(url(meeting, "minutes/")).content.decode()
    assert "do not let votes taken at a meeting" in page
    response = facilitator_client.post(url(meeting, "minutes/vote/"), vote_data())
    assert response.status_code == 400
    assert not Decision.objects.exists() and not MeetingDecision.objects.exists()


@pytest.mark.parametrize(("change", "says"), [
    ({"counts": "yes: twelve"}, "is not “choice: number”"),
    ({"counts": "maybe: 3"}, "is not a choice here"),
    ({"counts": "yes: 3\nyes: 4"}, "counted twice"),
    ({"counts": "yes: 30\nno: 1"}, "more than the 20 people"),
    ({"attendance": "0"}, "greater than or equal to 1"),
    ({"counted_by": ""}, "This field is required"),
])
def test_bad_counts_are_refused_and_nothing_is_stored(facilitator_client, facilitator, meeting,
                                                      change, says):
    set_rule(facilitator.home_chapter, "routine", meeting_votes=True)
    response = facilitator_client.post(url(meeting, "minutes/vote/"), vote_data(**change))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Decision.objects.exists() and not MeetingDecision.objects.exists()


def test_only_facilitators_record_votes(facilitator, member, member_client, outsider_client,
                                        meeting):
    set_rule(facilitator.home_chapter, "routine", meeting_votes=True)
    # The author of an event who is not a facilitator writes minutes, records no vote.
    own = make_event(author=member, title="Member's meeting",
                     starts_at=timezone.now() - timedelta(hours=1))
    page = member_client.get(url(own, "minutes/"))
    assert page.status_code == 200
    assert "Record a vote taken here" not in page.content.decode()
    assert member_client.post(url(own, "minutes/vote/"), vote_data()).status_code == 403
    assert outsider_client.post(url(meeting, "minutes/vote/"), vote_data()).status_code == 403
    assert not Decision.objects.exists()


def test_the_event_page_costs_the_same_whatever_the_agenda(facilitator, member_client, meeting):
    set_rule(facilitator.home_chapter, "routine", meeting_votes=True)

    def grow(n):
        for i in range(n):
            proposal = in_deliberation(facilitator, title=f"P{i}")
            services.add_agenda_item(event=meeting, actor=facilitator, title=f"Item {i}",
                                     proposal=str(proposal.public_id))
            services.record_vote(event=meeting, recorder=facilitator, category="routine",
                                 title=f"Vote {i}", text="T", counts={"yes": 2},
                                 attendance=3, counted_by="Sam")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(meeting.get_absolute_url()).status_code == 200
        return len(captured)

    grow(1)
    member_client.get(meeting.get_absolute_url())
    small = count()
    grow(4)
    assert count() == small


def test_the_minutes_a_member_wrote_are_in_their_export(facilitator, meeting):
    from chapterhouse.events import selectors

    services.write_minutes(event=meeting, author=facilitator, text="We met.")
    exported = selectors.account_export(facilitator)["minutes_written"]
    assert [(m["title"], m["text"]) for m in exported] == [("General assembly", "We met.")]
