"""Every decisions.* rule × persona × state (draft, deliberation, voting, closed)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.decisions import services
from chapterhouse.decisions.tests.factories import (
    chapter,
    close,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

HACKNEY, LONDON = "gb/eng/london/hackney", "gb/eng/london"
PERSONAS = ("anonymous", "outsider", "neighbour", "member", "facilitator", "author",
            "deactivated")
STATES = ("draft", "deliberation", "voting", "closed")
SCOPE = {"author", "member", "facilitator"}  # affected members of Hackney
EVERYONE = set(PERSONAS)

# rule → state → personas allowed
MATRIX = {
    "decisions.view_proposal": {
        "draft": {"author"}, "deliberation": EVERYONE, "voting": EVERYONE, "closed": EVERYONE,
    },
    "decisions.edit_draft": {"draft": {"author"}},
    "decisions.publish_proposal": {"draft": {"author"}},
    "decisions.withdraw_proposal": {"draft": {"author"}, "deliberation": {"author"}},
    "decisions.set_affected_groups": {"draft": {"author"}, "deliberation": {"author"}},
    "decisions.amend": {"deliberation": SCOPE},
    "decisions.deliberate": {"deliberation": SCOPE, "voting": SCOPE},
    "decisions.declare_stake": {},  # International's rules allow no declared stakes
    "decisions.cast_ballot": {"voting": SCOPE},
    "decisions.move_up": {"draft": {"author"}, "deliberation": {"author", "facilitator"}},
    "decisions.refer_down": {"deliberation": {"author", "facilitator"}},
    "decisions.object_to_weight": {"deliberation": SCOPE},
    "decisions.settle_objections": {},  # nothing is held here: see test_objections.py
    "decisions.open_voting": {},
    "decisions.close_voting": {},
}


@pytest.fixture
def personas(member, facilitator, outsider, neighbour):
    author = make_member("Alan Author", city="London", neighbourhood="Hackney")
    deactivated = make_member("Dee Deactivated", city="London", neighbourhood="Hackney")
    deactivated.user.is_active = False
    deactivated.user.save()
    return {
        "anonymous": AnonymousUser(), "outsider": outsider.user, "neighbour": neighbour.user,
        "member": member.user, "facilitator": facilitator.user, "author": author.user,
        "deactivated": deactivated.user,
    }


@pytest.fixture
def proposals(personas):
    author = personas["author"].member
    closed = in_voting(author, title="Closed")
    vote(closed, author, {"choice": "yes"})
    vote(closed, personas["member"].member, {"choice": "no"})
    vote(closed, personas["facilitator"].member, {"choice": "yes"})
    close(closed)
    closed.refresh_from_db()
    return {
        "draft": draft(author, title="Draft"),
        "deliberation": in_deliberation(author, title="Deliberation"),
        "voting": in_voting(author, title="Voting"),
        "closed": closed,
    }


@pytest.mark.parametrize("rule", MATRIX)
def test_the_rule_matrix(personas, proposals, rule):
    expected = MATRIX[rule]
    for state in STATES:
        proposal = proposals[state]
        for persona, user in personas.items():
            allowed = persona in expected.get(state, set())
            assert user.has_perm(rule, proposal) is allowed, (rule, state, persona)


def test_the_decision_rules_matrix(personas, proposals):
    decision = proposals["closed"].decision
    for persona, user in personas.items():
        assert user.has_perm("decisions.view_decision", decision) is True
        # Only the member who voted against (no) may dissent.
        assert user.has_perm("decisions.add_dissent", decision) is (persona == "member"), persona


@pytest.mark.parametrize("url_path, allowed", [
    (HACKNEY, {"author", "member", "facilitator"}),
    (LONDON, {"author", "member", "facilitator", "neighbour"}),
    ("fr", {"outsider"}),
])
def test_members_of_a_chapter_create_proposals_in_it(personas, url_path, allowed):
    for persona, user in personas.items():
        assert user.has_perm("decisions.create_proposal", chapter(url_path)) is (
            persona in allowed), persona


def test_members_of_the_scope_declare_stakes_where_the_rule_allows(personas, proposals):
    set_rule(chapter(HACKNEY), "routine", allow_self_declared_stakes=True)
    for persona, user in personas.items():
        for state in STATES:
            allowed = state == "deliberation" and persona in SCOPE
            assert user.has_perm("decisions.declare_stake", proposals[state]) is allowed, (
                persona, state)


def test_amendment_rules(personas, proposals):
    proposal = proposals["deliberation"]
    amendment = services.propose_amendment(
        proposal=proposal, author=personas["member"].member, kind="text_change",
        text="Another text.",
    )
    for persona, user in personas.items():
        assert user.has_perm("decisions.accept_amendment", amendment) is (persona == "author")
        assert user.has_perm("decisions.withdraw_amendment", amendment) is (persona == "member")
    amendment = services.withdraw_amendment(amendment=amendment,
                                            actor=personas["member"].member)
    for user in personas.values():
        assert not user.has_perm("decisions.accept_amendment", amendment)
        assert not user.has_perm("decisions.withdraw_amendment", amendment)
