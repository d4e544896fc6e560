"""The services of polls and surveys, their refusals, and turning a poll into a draft."""

import datetime

import pytest
from django.utils import timezone

from chapterhouse.decisions.models import Proposal
from chapterhouse.members import account_data
from chapterhouse.polls import selectors, services
from chapterhouse.polls.models import Answer, Participation, Poll, Response
from chapterhouse.polls.services import PollError

from .factories import make_poll, make_survey, soon

pytestmark = pytest.mark.django_db


class TestCreating:
    def test_a_poll_keeps_its_options_with_spaces_folded(self, member):
        poll = make_poll(member, options=["  Library ", "Café   on the corner"])
        assert poll.questions.get().options == ["Library", "Café on the corner"]
        assert poll.anonymous and poll.link_token is None

    @pytest.mark.parametrize("options, message", [
        (["Library", "library "], "twice"),
        (["Library", "LIBRARY", "Park"], "twice"),
        (["Library", "   ", "Park"], "Option 2 is empty"),
        (["Library"], "between 2 and 20"),
        ([f"Option {n}" for n in range(21)], "between 2 and 20"),
    ])
    def test_bad_options_are_refused_and_nothing_is_stored(self, member, options, message):
        with pytest.raises(PollError, match=message):
            make_poll(member, options=options)
        assert not Poll.objects.exists()

    def test_a_closing_time_in_the_past_is_refused(self, member):
        with pytest.raises(PollError, match="has passed"):
            make_poll(member, closes_at=timezone.now() - datetime.timedelta(minutes=1))
        with pytest.raises(PollError, match="at most"):
            make_poll(member, closes_at=soon(days=400))
        assert not Poll.objects.exists()

    def test_a_survey_by_link_has_an_unguessable_token_and_is_anonymous(self, member):
        survey = make_survey(member, by_link=True, anonymous=False)
        assert len(survey.link_token) >= 40 and survey.anonymous
        assert survey.questions.count() == 4

    def test_an_empty_question_in_a_survey_is_refused(self, member):
        with pytest.raises(PollError, match="Ask at least one question"):
            services.create_survey(chapter=member.home_chapter, author=member, title="T",
                                   questions=[], closes_at=soon())


class TestAnswering:
    def test_an_anonymous_answer_names_nobody_but_counts_once(self, member, neighbour):
        poll = make_poll(member)
        services.answer(poll=poll, member=neighbour, answers={1: "1"})
        response = Response.objects.get()
        assert response.member is None
        assert Participation.objects.filter(poll=poll, member=neighbour).exists()
        with pytest.raises(PollError, match="answered already"):
            services.answer(poll=poll, member=neighbour, answers={1: "0"})
        assert Response.objects.count() == 1 and Answer.objects.get().value == 1

    def test_an_open_poll_shows_who_chose_what(self, member, neighbour):
        poll = make_poll(member, anonymous=False, multiple=True)
        services.answer(poll=poll, member=neighbour, answers={1: ["0", "2"]})
        total, [result] = selectors.results(poll)
        assert total == 1
        assert [(bar.count, bar.names) for bar in result.bars] == [
            (1, ["Nell Neighbour"]), (0, []), (1, ["Nell Neighbour"])]
        assert [bar.percent for bar in result.bars] == [100, 0, 100]

    def test_an_answer_after_closing_is_refused(self, member, neighbour):
        poll = make_poll(member)
        Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
        poll.refresh_from_db()
        with pytest.raises(PollError, match="closed"):
            services.answer(poll=poll, member=neighbour, answers={1: "0"})
        assert not Response.objects.exists()

    @pytest.mark.parametrize("given", [{1: "7"}, {1: "x"}, {}, {1: ["0", "1"]}])
    def test_a_bad_answer_is_refused(self, member, neighbour, given):
        poll = make_poll(member)
        with pytest.raises(PollError):
            services.answer(poll=poll, member=neighbour, answers=given)
        assert not Response.objects.exists() and not Participation.objects.exists()

    def test_a_survey_by_link_counts_every_kind_of_question(self, member):
        survey = make_survey(member, by_link=True)
        services.answer_by_link(poll=survey, answers={1: "0", 2: ["0", "1"], 3: "4",
                                                      4: "Cheaper buses"})
        services.answer_by_link(poll=survey, answers={1: "1", 2: ["1"], 3: "2", 4: ""})
        total, results = selectors.results(survey, with_texts=True)
        assert total == 2
        assert [bar.count for bar in results[1].bars] == [1, 2, 0]
        assert results[2].average == 3.0
        assert results[3].texts == ["Cheaper buses"]
        rows = selectors.csv_rows(survey)
        assert rows[0] == ["Are you in a union?", "What matters most?",
                           "How hopeful are you?", "Anything else?"]
        assert rows[1] == ["Yes", "Rent; Wages", "4", "Cheaper buses"]

    def test_a_survey_without_link_refuses_answers_by_link(self, member):
        survey = make_survey(member)
        with pytest.raises(PollError, match="not open to everyone"):
            services.answer_by_link(poll=survey, answers={1: "0"})


class TestClosing:
    def test_closing_early_stops_answers_and_is_audited(self, member, neighbour):
        from chapterhouse.audit.models import AuditEntry

        poll = make_poll(member)
        closed = services.close_poll(poll=poll, member=member)
        assert closed.is_closed()
        assert Poll.objects.get(pk=poll.pk).is_closed()
        assert AuditEntry.objects.filter(action="polls.close").count() == 1
        with pytest.raises(PollError, match="closed"):
            services.answer(poll=Poll.objects.get(pk=poll.pk), member=neighbour,
                            answers={1: "0"})

    def test_closing_a_closed_poll_is_refused_and_changes_nothing(self, member):
        poll = make_poll(member)
        past = timezone.now() - datetime.timedelta(hours=1)
        Poll.objects.filter(pk=poll.pk).update(closes_at=past)
        with pytest.raises(PollError, match="closed already"):
            services.close_poll(poll=poll, member=member)
        assert Poll.objects.get(pk=poll.pk).closes_at == past


class TestMakingAProposal:
    def test_a_poll_becomes_a_draft_with_its_options_in_a_yes_no_category(self, member):
        poll = make_poll(member)
        proposal = services.make_proposal(poll=poll, author=member, category="routine")
        assert proposal.status == Proposal.Status.DRAFT
        assert proposal.title == "Where do we meet?" and proposal.chapter == poll.chapter
        assert "- Library\n- Café\n- Park" in proposal.text

    def test_a_poll_becomes_a_draft_with_options_where_the_category_chooses(self, member):
        from chapterhouse.decisions.models import DecisionRule

        DecisionRule.objects.create(chapter=member.home_chapter, category="routine",
                                    method="approval", deliberation_days=1,
                                    amendment_days=1, voting_days=1)
        proposal = services.make_proposal(poll=make_poll(member), author=member,
                                          category="routine")
        assert [o.label for o in proposal.options.order_by("position")] == [
            "Library", "Café", "Park"]

    def test_a_survey_does_not_become_a_proposal(self, member):
        with pytest.raises(PollError):
            services.make_proposal(poll=make_survey(member), author=member, category="routine")
        assert not Proposal.objects.exists()


class TestMemberData:
    def test_the_export_has_their_polls_and_named_answers_and_deletion_removes_answers(
            self, member, neighbour):
        named = make_poll(member, anonymous=False)
        secret = make_poll(member, question="Secret?")
        services.answer(poll=named, member=neighbour, answers={1: "2"})
        services.answer(poll=secret, member=neighbour, answers={1: "0"})
        holding = next(h for h in account_data.holdings() if h.app == "polls")
        exported = holding.export(neighbour)
        assert exported["poll_answers"] == [{"poll": str(named.public_id),
                                             "question": "Where do we meet?", "answer": "Park"}]
        assert len(holding.export(member)["polls_created"]) == 2
        assert holding.remove_on_deletion is not None
        assert holding.remove_on_deletion(neighbour) == 2  # the response and its answer
        assert not Participation.objects.filter(member=neighbour).exists()
        assert Response.objects.filter(poll=secret).count() == 1  # anonymous: unlinkable
        holding.remove_on_deletion(member)
        assert Poll.objects.filter(author=None).count() == 2
