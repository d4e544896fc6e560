import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.audit.models import AuditEntry
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import Roll, RollEntry
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.members.services import move_member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db

HACKNEY, ISLINGTON, LONDON = "gb/eng/london/hackney", "gb/eng/london/islington", "gb/eng/london"


def entries(proposal):
    return {
        member: (weight, reason)
        for member, weight, reason in RollEntry.objects.filter(roll__proposal=proposal)
        .values_list("member__display_name", "weight", "reason")
    }


def test_opening_freezes_the_roll_with_weights_reasons_and_a_hash(member, facilitator, neighbour):
    len_ = make_member("Len Londoner", city="London")
    proposal = in_voting(member, chapter=chapter(LONDON), groups=[
        {"chapter": chapter(HACKNEY), "weight": 3, "reason": "the square is here"},
        {"chapter": chapter(ISLINGTON), "weight": 0, "reason": "not concerned"},
    ])
    assert entries(proposal) == {
        "Ada Member": (3.0, "@group:gb/eng/london/hackney:the square is here"),
        "Fay Facilitator": (3.0, "@group:gb/eng/london/hackney:the square is here"),
        "Len Londoner": (1.0, "@member:gb/eng/london"),
    }
    roll = proposal.roll
    assert (roll.size, roll.total_weight) == (3, Decimal(7))
    lines = sorted(
        f"{m.public_id}\t{w!r}\t{r}\n" for m, w, r in [
            (member, 3.0, "@group:gb/eng/london/hackney:the square is here"),
            (facilitator, 3.0, "@group:gb/eng/london/hackney:the square is here"),
            (len_, 1.0, "@member:gb/eng/london"),
        ]
    )
    assert roll.hash == hashlib.sha256("".join(lines).encode()).hexdigest()
    assert list(selectors.roll_lines(proposal)) == lines
    event = proposal.events.get(kind="voting_opened")
    assert event.data["roll_hash"] == roll.hash
    assert AuditEntry.objects.get(action="decisions.open_voting").data["roll_size"] == 3


def test_the_deepest_group_wins(member, facilitator):
    set_rule(chapter("gb"), "routine")
    proposal = in_voting(member, chapter=chapter("gb"), groups=[
        {"chapter": chapter(LONDON), "weight": 2, "reason": "London"},
        {"chapter": chapter(HACKNEY), "weight": 4, "reason": "Hackney"},
        {"chapter": chapter("gb"), "weight": 0.5, "reason": "everyone else"},
    ])
    make_member("Leeds Lou", city="Leeds")  # joins after: not on the roll
    assert {w for w, _r in entries(proposal).values()} == {4.0}


def test_a_declared_stake_raises_a_members_weight(member, facilitator):
    set_rule(chapter(HACKNEY), "routine", allow_self_declared_stakes=True, self_declared_cap=5)
    proposal = in_deliberation(member)
    services.declare_stake(proposal=proposal, member=facilitator, weight=4, reason="I live on it")
    services.declare_stake(proposal=proposal, member=member, weight=0.5, reason="barely")
    proposal.refresh_from_db()
    services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    assert entries(proposal) == {
        "Ada Member": (1.0, "@member:gb/eng/london/hackney"),  # a lower declaration changes nothing
        "Fay Facilitator": (4.0, "@stake:I live on it"),
    }


def test_deactivated_accounts_are_not_on_the_roll(member, facilitator):
    facilitator.user.is_active = False
    facilitator.user.save()
    proposal = in_voting(member)
    assert set(entries(proposal)) == {"Ada Member"}


def test_joining_or_moving_after_opening_changes_nothing(member, facilitator, neighbour):
    proposal = in_voting(member)
    newcomer = make_member("Ned Newcomer", city="London", neighbourhood="Hackney")
    move_member(member=neighbour, city=make_city("London"), neighbourhood="Hackney")
    move_member(member=facilitator, city=make_city("Leeds"))
    roll = Roll.objects.get(proposal=proposal)
    assert set(entries(proposal)) == {"Ada Member", "Fay Facilitator"}
    assert selectors.roll_digest(proposal) == (roll.hash, roll.size, roll.total_weight)
    # The member who moved away still votes; those who arrived are refused, clearly.
    vote(proposal, facilitator, {"choice": "yes"})
    for latecomer in (newcomer, neighbour):
        with pytest.raises(DecisionError, match="not on the roll"):
            vote(proposal, latecomer, {"choice": "yes"})


def test_opening_is_idempotent(member, facilitator):
    proposal = in_voting(member)
    make_member("Late Lily", city="London", neighbourhood="Hackney")
    again = services.open_voting(proposal=proposal, now=at(proposal.voting_opens_at) + timedelta(1))
    assert again.voting_opens_at == proposal.voting_opens_at
    assert Roll.objects.count() == 1
    assert RollEntry.objects.count() == 2
    assert proposal.events.filter(kind="voting_opened").count() == 1


def test_nobody_opens_a_vote_early(member):
    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match="Voting opens on"):
        services.open_voting(proposal=proposal, now=at(proposal.voting_opens_at) - timedelta(1))
    proposal.refresh_from_db()
    assert proposal.status == "deliberation"
    assert not Roll.objects.exists()


def test_a_draft_does_not_go_to_the_vote(member):
    proposal = draft(member)
    with pytest.raises(DecisionError, match="in deliberation"):
        services.open_voting(proposal=proposal)


def test_the_rule_is_frozen_at_opening(member):
    proposal = in_voting(member)
    set_rule(chapter(HACKNEY), "routine", method="consent", params={}, secret=True)
    proposal.refresh_from_db()
    snapshot = at(proposal.rule_snapshot)
    assert snapshot["method"] == "majority"
    assert snapshot["secret"] is False
    assert snapshot["chapter"] == ""  # International's rule was in force


def test_freezing_takes_the_same_queries_for_any_number_of_members(member, settings):
    # The production task backend: the roll's notices are enqueued, not stored, here.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }

    def opening_queries(count):
        for i in range(count):
            make_member(f"Voter {count}-{i}", city="London", neighbourhood="Hackney")
        proposal = in_deliberation(member, title=f"Vote {count}")
        proposal.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
        return len(queries)

    assert opening_queries(2) == opening_queries(12)


def test_roll_reasons_are_codes_shown_in_the_readers_language(member, facilitator):
    from django.utils import translation

    from chapterhouse.decisions import presenters

    proposal = in_voting(member, chapter=chapter(LONDON), groups=[
        {"chapter": chapter(HACKNEY), "weight": 3, "reason": "the square is here"}])
    frozen = proposal.roll.hash
    codes = ["@group:gb/eng/london/hackney:the square is here", "@member:gb/eng/london",
             "@stake:I live on it", "member of Hackney"]
    with translation.override("en"):
        assert presenters.reason_texts(codes) == {
            codes[0]: "Hackney: the square is here", codes[1]: "member of London",
            codes[2]: "declared: I live on it",
            codes[3]: "member of Hackney",  # frozen before reasons were codes: as written
        }
    with translation.override("es"):
        texts = presenters.reason_texts(codes)
    assert texts[codes[1]] == "miembro de London"
    assert texts[codes[2]] == "declarado: I live on it"
    # The hash is over the codes, whoever froze the roll in whatever language.
    assert selectors.roll_digest(proposal)[0] == frozen
