from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)

pytestmark = pytest.mark.django_db

HACKNEY, LONDON = "gb/eng/london/hackney", "gb/eng/london"


def test_drafts_are_visible_to_their_author_only(member, facilitator):
    mine = draft(member, title="Mine")
    published = in_deliberation(facilitator, title="Published")
    assert set(selectors.proposals_visible_to(member)) == {mine, published}
    assert set(selectors.proposals_visible_to(facilitator)) == {published}
    assert set(selectors.proposals_visible_to(None)) == {published}
    assert selectors.get_proposal_for(mine.public_id, facilitator) is None
    assert selectors.get_proposal_for(mine.public_id, member) == mine


def test_a_chapters_proposals_are_one_query_whatever_their_number(member):
    def listing_queries(count):
        for i in range(count):
            in_deliberation(member, title=f"P{count}-{i}")
        hackney = chapter(HACKNEY)
        with CaptureQueriesContext(connection) as queries:
            rows = list(selectors.proposals_in(hackney, viewer=member))
            [(at(p.author).display_name, p.chapter.url_path) for p in rows]
        return len(queries)

    assert listing_queries(2) == listing_queries(6) == 1


def test_the_decision_log_filters_and_costs_one_query(member, facilitator):
    routine = in_voting(member, title="Routine")
    vote(routine, member, {"choice": "yes"})
    close(routine)
    set_rule(chapter(LONDON), "policy", params={"threshold": 0.5, "quorum": 0})
    policy = in_voting(member, title="Policy", chapter=chapter(LONDON), category="policy")
    vote(policy, member, {"choice": "no"})
    close(policy)
    assert [d.title for d in selectors.decisions()] == ["Policy", "Routine"]
    assert [d.title for d in selectors.decisions(chapter=chapter(LONDON))] == ["Policy"]
    assert [d.title for d in selectors.decisions(chapter=chapter(LONDON),
                                                 include_subchapters=True)] == ["Policy", "Routine"]
    assert [d.title for d in selectors.decisions(category="routine")] == ["Routine"]
    assert [d.title for d in selectors.decisions(outcome="rejected")] == ["Policy"]
    tomorrow = timezone.now() + timedelta(days=30)
    assert list(selectors.decisions(since=tomorrow)) == []
    assert len(list(selectors.decisions(until=tomorrow))) == 2
    with CaptureQueriesContext(connection) as queries:
        [(d.chapter.url_path, d.proposal.public_id) for d in selectors.decisions()]
    assert len(queries) == 1


def test_a_members_weight_before_and_after_the_roll(member, facilitator, neighbour):
    proposal = draft(member, chapter=chapter(LONDON))
    services.set_affected_groups(proposal=proposal, actor=member, groups=[
        {"chapter": chapter(HACKNEY), "weight": 2, "reason": "near"},
    ])
    assert selectors.weight_of(proposal, member) == (2.0, "@group:gb/eng/london/hackney:near")
    assert selectors.weight_of(proposal, neighbour) == (1.0, "@member:gb/eng/london")
    voting = in_voting(member)
    assert selectors.weight_of(voting, member) == (1.0, "@member:gb/eng/london/hackney")
    assert selectors.weight_of(voting, neighbour) is None


def test_the_method_a_proposal_will_be_decided_by(member):
    proposal = in_deliberation(member)
    assert selectors.method_for(proposal) == "majority"
    set_rule(chapter(HACKNEY), "routine", method="consent", params={})
    assert selectors.method_for(proposal) == "consent"


def test_history_versions_and_amendments_read_in_order(member, facilitator):
    proposal = in_deliberation(member)
    services.propose_amendment(proposal=proposal, author=facilitator, kind="text_change",
                               text="Other")
    assert [e.kind for e in selectors.proposal_history(proposal)] == [
        "created", "published", "amendment_proposed"]
    assert [v.number for v in selectors.versions(proposal)] == [1]
    assert [a.number for a in selectors.amendments(proposal)] == [1]
    assert selectors.options(proposal) == []
