"""The pages of polls and surveys: answers, results, outsiders, the public link, its
limits, the CSV, the proposal, and query counts."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from chapterhouse.chapters.sections import Visibility
from chapterhouse.decisions.models import Proposal
from chapterhouse.polls.models import Poll, Response

from .factories import make_poll, make_survey

pytestmark = pytest.mark.django_db
HACKNEY = "/c/gb/eng/london/hackney/"
SOON = (timezone.localtime() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")


def _answer_url(poll):
    return poll.get_absolute_url() + "answer/"


class TestPollPages:
    def test_a_member_answers_then_sees_the_results(self, member, neighbour_client):
        poll = make_poll(member)
        page = neighbour_client.get(poll.get_absolute_url())
        assert page.status_code == 200 and b'name="q1"' in page.content
        assert b"Results" not in page.content
        response = neighbour_client.post(_answer_url(poll), {"q1": "1"})
        assert response.status_code == 302
        page = neighbour_client.get(poll.get_absolute_url())
        assert b"You have answered." in page.content and b"Results" in page.content
        assert b"100 %" in page.content

    def test_answering_twice_is_refused_with_a_message(self, member, neighbour_client):
        poll = make_poll(member)
        neighbour_client.post(_answer_url(poll), {"q1": "1"})
        response = neighbour_client.post(_answer_url(poll), {"q1": "0"})
        assert response.status_code == 400 and b"answered already" in response.content
        assert Response.objects.count() == 1

    def test_an_outsider_sees_a_public_poll_but_cannot_answer(self, member, outsider_client):
        poll = make_poll(member)
        assert outsider_client.get(poll.get_absolute_url()).status_code == 200
        assert outsider_client.post(_answer_url(poll), {"q1": "1"}).status_code == 403
        assert not Response.objects.exists()

    def test_a_members_only_section_hides_polls_from_outsiders(self, member, outsider_client):
        poll = make_poll(member)
        chapter = poll.chapter
        chapter.sections = {"polls": {"visibility": Visibility.MEMBERS}}
        chapter.save()
        assert outsider_client.get(poll.get_absolute_url()).status_code == 403
        assert Client().get(HACKNEY + "polls/").status_code == 403

    def test_its_author_closes_it_early_and_others_cannot(self, member, member_client,
                                                          neighbour_client, outsider_client):
        poll = make_poll(member)
        close = poll.get_absolute_url() + "close/"
        assert b"Close it now" in member_client.get(poll.get_absolute_url()).content
        assert b"Close it now" not in neighbour_client.get(poll.get_absolute_url()).content
        for other in (neighbour_client, outsider_client):
            assert other.post(close).status_code == 403
        assert Client().post(close).status_code == 302  # to sign in
        poll.refresh_from_db()
        assert not poll.is_closed()
        response = member_client.post(close, follow=True)
        assert b"takes no more answers" in response.content
        poll.refresh_from_db()
        assert poll.is_closed()
        assert neighbour_client.post(_answer_url(poll), {"q1": "1"}).status_code == 403
        assert b"Close it now" not in member_client.get(poll.get_absolute_url()).content

    def test_a_guessed_id_is_404(self, member_client):
        assert member_client.get(
            HACKNEY + "polls/00000000-0000-0000-0000-000000000000/").status_code == 404

    def test_a_member_makes_a_poll_and_bad_options_show_an_error(self, member_client):
        url = HACKNEY + "polls/new/"
        assert member_client.get(url).status_code == 200
        bad = member_client.post(url, {"question": "Where?", "options": "Here\nhere ",
                                       "anonymous": "on", "closes_at": SOON})
        assert bad.status_code == 400 and b"twice" in bad.content
        past = member_client.post(url, {"question": "Where?", "options": "A\nB",
                                        "closes_at": "2001-01-01T10:00"})
        assert past.status_code == 400 and b"has passed" in past.content
        assert not Poll.objects.exists()
        good = member_client.post(url, {"question": "Where?", "options": "A\nB\n",
                                        "closes_at": SOON})
        assert good.status_code == 302
        poll = Poll.objects.get()
        assert not poll.anonymous and poll.questions.get().options == ["A", "B"]

    def test_an_outsider_cannot_make_a_poll(self, member, outsider_client):
        assert outsider_client.get(HACKNEY + "polls/new/").status_code == 403
        assert outsider_client.post(HACKNEY + "polls/new-survey/", {}).status_code == 403

    def test_a_member_makes_a_survey(self, member_client):
        response = member_client.post(HACKNEY + "polls/new-survey/", {
            "title": "Founding", "q1_text": "Hopeful?", "q1_kind": "scale",
            "q2_text": "Which?", "q2_kind": "multiple", "q2_options": "A\nB",
            "by_link": "on", "closes_at": SOON})
        assert response.status_code == 302
        survey = Poll.objects.get()
        assert survey.link_token and survey.questions.count() == 2

    def test_the_csv_is_for_its_author_and_facilitators(self, member, member_client,
                                                         facilitator_client, neighbour_client):
        poll = make_poll(member, question="=cmd()")
        neighbour_client.post(_answer_url(poll), {"q1": "0"})
        url = poll.get_absolute_url() + "answers.csv"
        assert neighbour_client.get(url).status_code == 403
        assert facilitator_client.get(url).status_code == 200
        body = member_client.get(url).content.decode()
        assert body.splitlines() == ["'=cmd()", "Library"]

    def test_the_author_turns_the_poll_into_a_draft(self, member, member_client,
                                                    neighbour_client):
        poll = make_poll(member)
        url = poll.get_absolute_url() + "proposal/"
        assert neighbour_client.post(url, {"category": "routine"}).status_code == 403
        response = member_client.post(url, {"category": "routine"})
        proposal = Proposal.objects.get()
        assert response.status_code == 302 and response.url == proposal.get_absolute_url()
        assert proposal.author == member and proposal.status == Proposal.Status.DRAFT

    def test_the_list_costs_the_same_queries_for_more_polls(
            self, member, member_client, django_assert_max_num_queries):
        make_poll(member)
        with django_assert_max_num_queries(30) as few:
            member_client.get(HACKNEY + "polls/")
        for n in range(10):
            make_poll(member, question=f"Question {n}?")
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = member_client.get(HACKNEY + "polls/")
        assert page.content.count(b"Question ") == 10

    def test_results_cost_the_same_queries_for_more_answers(
            self, member, facilitator_client, django_assert_max_num_queries):
        from chapterhouse.members.tests.factories import make_member
        from chapterhouse.polls import services

        poll = make_poll(member, anonymous=False)
        services.answer(poll=poll, member=member, answers={1: "0"})
        with django_assert_max_num_queries(40) as few:
            facilitator_client.get(poll.get_absolute_url())
        for n in range(8):
            voter = make_member(f"Voter {n}", city="London", neighbourhood="Hackney")
            services.answer(poll=poll, member=voter, answers={1: str(n % 3)})
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = facilitator_client.get(poll.get_absolute_url())
        assert b"Voter 7" in page.content


class TestPublicSurvey:
    def _answers(self, **extra):
        return {"q1": "0", "q2": ["1"], "q3": "5", "q4": "More buses", **extra}

    def test_anyone_answers_by_the_link_then_sees_the_results(self, member):
        survey = make_survey(member, by_link=True)
        client = Client()
        page = client.get(survey.public_url())
        assert page.status_code == 200 and b'name="website"' in page.content
        before = client.get(survey.public_url() + "results/")
        assert b"Results" not in before.content
        response = client.post(survey.public_url(), self._answers())
        assert response.status_code == 302
        results = client.get(response["Location"])
        assert b"Results" in results.content and b"More buses" not in results.content
        assert Response.objects.get().member is None

    def test_a_survey_without_a_link_or_a_wrong_token_is_404(self, member):
        make_survey(member)
        assert Client().get("/survey/not-a-token/").status_code == 404

    def test_a_filled_honeypot_is_thanked_and_not_stored(self, member):
        survey = make_survey(member, by_link=True)
        response = Client().post(survey.public_url(), self._answers(website="http://spam"))
        assert response.status_code == 302 and not Response.objects.exists()

    def test_too_many_answers_from_one_address_are_quietly_limited(self, member, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                        "survey_answer": "3/h/ip"}
        survey = make_survey(member, by_link=True)
        statuses = [Client().post(survey.public_url(), self._answers()).status_code
                    for _ in range(5)]
        assert statuses == [302, 302, 302, 429, 429]
        assert Response.objects.count() == 3

    def test_a_bad_answer_by_link_shows_the_form_again(self, member):
        survey = make_survey(member, by_link=True)
        response = Client().post(survey.public_url(), {"q1": "9"})
        assert response.status_code == 400 and not Response.objects.exists()
