"""Polls and surveys over the REST API: the pages' rules (who sees, asks, answers and
sees results), bad input refused with nothing stored, and the cost of the list."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.chapters.services import set_section
from chapterhouse.members.tests.factories import make_member, token_client_for
from chapterhouse.polls.models import Answer, Participation, Poll, Response

from .factories import make_poll, make_survey

pytestmark = pytest.mark.django_db

LIST = "/api/v1/polls/"
SURVEYS = "/api/v1/surveys/"
HACKNEY = "gb/eng/london/hackney"


def soon(days: int = 7) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


def one(poll: Poll) -> str:
    return f"{LIST}{poll.public_id}/"


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def answer(client, poll, answers):
    return post_json(client, one(poll) + "answer/", {"answers": answers})


def a_poll_request(**extra):
    return {"chapter": HACKNEY, "question": "Where do we meet?",
            "options": ["Library", "Café"], "closes_at": soon(), **extra}


def test_anyone_lists_a_chapters_polls_and_surveys(client, member, outsider):
    make_poll(member, question="Where do we meet?")
    make_survey(member, title="Founding survey")
    for viewer in (client, token_client_for(outsider), token_client_for(member)):
        body = viewer.get(LIST, {"chapter": HACKNEY}).json()
        assert [(row["kind"], row["title"]) for row in body["results"]] == [
            ("survey", "Founding survey"), ("poll", "Where do we meet?")]
        assert body["results"][0]["response_count"] == 0
        assert body["results"][0]["author"]["display_name"] == member.display_name
    only = client.get(LIST, {"chapter": HACKNEY, "kind": "poll"}).json()["results"]
    assert [row["kind"] for row in only] == ["poll"]
    # Polls of Hackney are not London's.
    assert client.get(LIST, {"chapter": "gb/eng/london"}).json()["count"] == 0


@pytest.mark.parametrize("params", [{}, {"chapter": HACKNEY, "kind": ""},
                                    {"chapter": HACKNEY, "kind": "quiz"},
                                    {"chapter": HACKNEY, "page": "x"}])
def test_a_bad_list_request_is_400(client, member, params):
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert set(response.json()) & {"chapter", "kind", "page"}


def test_unknown_list_parameters_are_ignored(client, member):
    make_poll(member)
    assert client.get(LIST, {"chapter": HACKNEY, "colour": "red"}).json()["count"] == 1


def test_a_members_only_section_is_404_to_outsiders(client, member, neighbour, outsider):
    poll = make_poll(member)
    set_section(chapter=member.home_chapter,
                change={"section": "polls", "visibility": "members"})
    for other in (client, token_client_for(outsider)):
        assert other.get(LIST, {"chapter": HACKNEY}).status_code == 404
        assert other.get(one(poll)).status_code == 404
    assert answer(token_client_for(outsider), poll, {"1": 0}).status_code == 404
    assert token_client_for(neighbour).get(one(poll)).status_code == 200
    assert not Response.objects.exists()


def test_a_member_asks_a_poll(member):
    response = post_json(token_client_for(member), LIST, a_poll_request(multiple=True,
                                                                        anonymous=False))
    assert response.status_code == 201
    poll = Poll.objects.get()
    assert (poll.author, poll.chapter, poll.anonymous, poll.kind) == (
        member, member.home_chapter, False, "poll")
    body = response.json()
    assert body["poll"]["public_id"] == str(poll.public_id)
    assert body["poll"]["response_count"] == 0
    assert body["questions"] == [{"position": 1, "kind": "multiple",
                                  "text": "Where do we meet?",
                                  "options": ["Library", "Café"]}]
    # Its author sees the (empty) results at once.
    assert body["results"] == {"responses": 0, "questions": [
        {"position": 1, "answered": 0, "average": None, "texts": [], "bars": [
            {"label": "Library", "count": 0, "percent": 0, "names": []},
            {"label": "Café", "count": 0, "percent": 0, "names": []}]}]}


def test_a_member_makes_a_survey_and_only_its_author_sees_the_link(member, neighbour):
    response = post_json(token_client_for(member), SURVEYS, {
        "chapter": HACKNEY, "title": "Founding survey", "by_link": True,
        "closes_at": soon(), "questions": [
            {"kind": "single", "text": "In a union?", "options": ["Yes", "No"]},
            {"kind": "scale", "text": "How hopeful?"},
            {"kind": "text", "text": "Anything else?"}]})
    assert response.status_code == 201
    survey = Poll.objects.get()
    assert survey.kind == "survey" and survey.link_token and survey.anonymous
    assert response.json()["public_url"] == survey.public_url()
    seen = token_client_for(neighbour).get(one(survey)).json()
    assert seen["public_url"] is None and seen["results"] is None and seen["may_answer"]


@pytest.mark.parametrize("data, text", [
    (a_poll_request(options=["Library", " library "]), "twice"),
    (a_poll_request(options=["Library", ""]), "empty"),
    (a_poll_request(options=["Library"]), "between 2 and 20"),
    (a_poll_request(question="  "), "question"),
    (a_poll_request(closes_at="2001-01-01T10:00:00Z"), "passed"),
    (a_poll_request(closes_at="soon"), "closes_at"),
    (a_poll_request(options="Library"), "options"),
    (a_poll_request(anonymous="maybe"), "anonymous"),
    (a_poll_request(author="someone"), "author"),
])
def test_a_bad_poll_is_400_with_its_reason_and_nothing_is_stored(member, data, text):
    response = post_json(token_client_for(member), LIST, data)
    assert response.status_code == 400
    assert text in str(response.json()), response.json()
    assert not Poll.objects.exists()


@pytest.mark.parametrize("questions, text", [
    ([], "at least one question"),
    ([{"kind": "essay", "text": "Why?"}], "kind"),
    ([{"kind": "single", "text": "In a union?", "options": ["Yes", "Yes"]}], "twice"),
    ([{"kind": "text", "text": "Why?", "colour": "red"}], "colour"),
])
def test_a_bad_survey_is_400_and_nothing_is_stored(member, questions, text):
    response = post_json(token_client_for(member), SURVEYS, {
        "chapter": HACKNEY, "title": "Survey", "closes_at": soon(), "questions": questions})
    assert response.status_code == 400
    assert text in str(response.json()), response.json()
    assert not Poll.objects.exists()


def test_asking_needs_credentials_and_the_pages_rule(client, member, facilitator, outsider):
    assert post_json(client, LIST, a_poll_request()).status_code == 401
    assert post_json(client, SURVEYS, {}).status_code == 401
    assert post_json(token_client_for(outsider), LIST, a_poll_request()).status_code == 403
    set_section(chapter=member.home_chapter,
                change={"section": "polls", "posting": "facilitators"})
    assert post_json(token_client_for(member), LIST, a_poll_request()).status_code == 403
    assert not Poll.objects.exists()
    assert post_json(token_client_for(facilitator), LIST, a_poll_request()).status_code == 201


def test_a_member_answers_once_then_sees_the_results(member, neighbour):
    poll = make_poll(member, anonymous=False)
    as_neighbour = token_client_for(neighbour)
    before = as_neighbour.get(one(poll)).json()
    assert (before["answered"], before["may_answer"], before["results"]) == (False, True, None)
    response = answer(as_neighbour, poll, {"1": 1})
    assert response.status_code == 201
    body = response.json()
    assert body["answered"] is True and body["may_answer"] is False
    assert body["poll"]["response_count"] == 1
    assert as_neighbour.get(one(poll)).json()["poll"]["response_count"] == 1
    bars = body["results"]["questions"][0]["bars"]
    assert [(bar["label"], bar["count"], bar["percent"], bar["names"]) for bar in bars] == [
        ("Library", 0, 0, []), ("Café", 1, 100, [neighbour.display_name]), ("Park", 0, 0, [])]
    again = answer(as_neighbour, poll, {"1": 0})
    assert again.status_code == 400 and "answered already" in str(again.json())
    assert Response.objects.count() == 1


def test_texts_are_shown_only_to_the_author_and_facilitators(member, neighbour, facilitator):
    survey = make_survey(member)
    answers = {"1": 0, "2": [0, 2], "3": 4, "4": "More meetings"}
    assert answer(token_client_for(neighbour), survey, answers).status_code == 201
    mine = token_client_for(neighbour).get(one(survey)).json()["results"]["questions"]
    assert mine[3]["texts"] == [] and mine[2]["average"] == 4.0
    assert [bar["count"] for bar in mine[1]["bars"]] == [1, 0, 1]
    for author_or_facilitator in (member, facilitator):
        seen = token_client_for(author_or_facilitator).get(one(survey)).json()
        assert seen["results"]["questions"][3]["texts"] == ["More meetings"]


def test_results_are_hidden_from_others_until_it_closes(client, member, outsider):
    poll = make_poll(member)
    for other in (client, token_client_for(outsider)):
        assert other.get(one(poll)).json()["results"] is None
    Poll.objects.filter(pk=poll.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1))
    for other in (client, token_client_for(outsider)):
        assert other.get(one(poll)).json()["results"]["responses"] == 0


def test_answering_needs_credentials_membership_and_an_open_poll(client, member, neighbour,
                                                                 outsider):
    poll = make_poll(member)
    assert answer(client, poll, {"1": 0}).status_code == 401
    refused = answer(token_client_for(outsider), poll, {"1": 0})
    assert refused.status_code == 403 and "Only the members" in refused.json()["detail"]
    Poll.objects.filter(pk=poll.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1))
    assert answer(token_client_for(neighbour), poll, {"1": 0}).status_code == 403
    assert not Response.objects.exists() and not Participation.objects.exists()
    assert token_client_for(neighbour).get(f"{LIST}{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize("answers, text", [
    ({"1": 7}, "not one of the choices"),
    ({"1": [0, 1]}, "only one"),
    ({"1": "Library"}, "not one of the choices"),
    ({"1": None}, "null"),
    ({"1": {"x": 1}}, "option's number"),
    ({"1": True}, "option's number"),
    ({"2": 0}, "no question 2"),
    ({"one": 0}, "position"),
    ({}, "answers"),
])
def test_a_bad_answer_is_400_and_nothing_is_stored(member, neighbour, answers, text):
    poll = make_poll(member)
    response = answer(token_client_for(neighbour), poll, answers)
    assert response.status_code == 400
    assert text in str(response.json()), response.json()
    assert not Response.objects.exists() and not Participation.objects.exists()
    assert not Answer.objects.exists()


def _count(client, url, params=None):
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member", "facilitator"])
def test_the_list_and_a_poll_cost_the_same_whatever_the_number(request, persona, member):
    client = Client() if persona is None else token_client_for(request.getfixturevalue(persona))
    poll = make_poll(member, anonymous=False)
    small_list = _count(client, LIST, {"chapter": HACKNEY})
    small_detail = _count(client, one(poll))
    for index in range(5):
        voter = make_member(f"Voter {index}", city="London", neighbourhood="Hackney")
        answer(token_client_for(voter), poll, {"1": index % 3})
        make_poll(voter, question=f"Question {index}?")
        make_survey(voter, title=f"Survey {index}")
    assert _count(client, LIST, {"chapter": HACKNEY}) == small_list
    assert _count(client, one(poll)) == small_detail


def test_its_author_or_a_facilitator_closes_it_early(client, member, neighbour, facilitator,
                                                     outsider):
    poll = make_poll(member)
    survey = make_survey(member)
    assert post_json(client, one(poll) + "close/").status_code == 401
    for other in (neighbour, outsider):
        refused = post_json(token_client_for(other), one(poll) + "close/")
        assert refused.status_code == 403
    assert not Poll.objects.get(pk=poll.pk).is_closed()
    closed = post_json(token_client_for(member), one(poll) + "close/")
    assert closed.status_code == 200
    assert closed.json()["poll"]["closed"] is True
    assert Poll.objects.get(pk=poll.pk).is_closed()
    # Closed, its results are everyone's and it takes no answers.
    assert client.get(one(poll)).json()["results"]["responses"] == 0
    assert answer(token_client_for(neighbour), poll, {"1": 0}).status_code == 403
    again = post_json(token_client_for(member), one(poll) + "close/")
    assert again.status_code == 403
    assert post_json(token_client_for(facilitator), one(survey) + "close/").status_code == 200
