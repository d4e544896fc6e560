from datetime import timedelta

import pytest
from django.utils import timezone

from chapterhouse.audit.models import AuditEntry
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import AffectedGroup, Proposal, StakeDeclaration
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
)
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

HACKNEY, ISLINGTON, LONDON = "gb/eng/london/hackney", "gb/eng/london/islington", "gb/eng/london"


def group(url_path, weight, reason="lives next to the square"):
    return {"chapter": chapter(url_path), "weight": weight, "reason": reason}


def test_the_author_names_affected_groups_inside_the_scope(member, neighbour):
    proposal = draft(member, chapter=chapter(LONDON))
    services.set_affected_groups(proposal=proposal, actor=member, groups=[
        group(HACKNEY, 3), group(ISLINGTON, 0.5, "across the canal"),
    ])
    assert sorted(proposal.affected_groups.values_list("chapter__url_path", "weight")) == [
        (HACKNEY, 3.0), (ISLINGTON, 0.5),
    ]
    # Setting them again replaces them.
    services.set_affected_groups(proposal=proposal, actor=member, groups=[group(HACKNEY, 2)])
    assert list(proposal.affected_groups.values_list("weight", flat=True)) == [2.0]


def test_a_group_outside_the_scope_is_refused_naming_where_to_move(member, neighbour):
    proposal = draft(member)  # scope: Hackney
    with pytest.raises(DecisionError) as error:
        services.set_affected_groups(proposal=proposal, actor=member,
                                     groups=[group(ISLINGTON, 2)])
    assert "outside" in error.value.message and "London" in error.value.message
    assert not AffectedGroup.objects.exists()


@pytest.mark.parametrize("weight, reason, message", [
    (11, "too much", "0 to 10"),
    (-1, "negative", "0 to 10"),
    ("3", "a string", "0 to 10"),
    (2, "  ", "Say why"),
])
def test_bad_weights_are_refused_with_nothing_stored(member, weight, reason, message):
    proposal = draft(member)
    with pytest.raises(DecisionError, match=message):
        services.set_affected_groups(proposal=proposal, actor=member,
                                     groups=[group(HACKNEY, weight, reason)])
    assert not AffectedGroup.objects.exists()


def test_a_chapter_is_listed_once(member):
    proposal = draft(member)
    with pytest.raises(DecisionError, match="twice"):
        services.set_affected_groups(proposal=proposal, actor=member,
                                     groups=[group(HACKNEY, 2), group(HACKNEY, 3)])


def test_only_the_author_sets_groups_and_only_before_voting(member, facilitator):
    proposal = draft(member)
    with pytest.raises(DecisionError, match="author"):
        services.set_affected_groups(proposal=proposal, actor=facilitator,
                                     groups=[group(HACKNEY, 2)])
    voting = in_voting(member)
    with pytest.raises(DecisionError, match="before voting"):
        services.set_affected_groups(proposal=voting, actor=member, groups=[group(HACKNEY, 2)])


def test_changing_groups_in_deliberation_is_audited(member):
    proposal = in_deliberation(member)
    services.set_affected_groups(proposal=proposal, actor=member, groups=[group(HACKNEY, 2)])
    assert AuditEntry.objects.filter(action="decisions.set_affected_groups").exists()
    assert proposal.events.filter(kind="affectedness_changed").exists()


def test_the_affectedness_preview_counts_members_by_group(member, facilitator, neighbour):
    make_member("Len Londoner", city="London")
    proposal = draft(member, chapter=chapter(LONDON))
    services.set_affected_groups(proposal=proposal, actor=member, groups=[group(HACKNEY, 3)])
    rows = {row.chapter.url_path: (row.weight, row.members)
            for row in selectors.affectedness(proposal)}
    # London has 4 members: Hackney's two at weight 3, the other two at weight 1.
    assert rows == {LONDON: (1.0, 2), HACKNEY: (3.0, 2)}




def test_common_scope_is_the_deepest_chapter_containing_all(member, neighbour, outsider):
    assert at(selectors.common_scope([chapter(HACKNEY), chapter(ISLINGTON)])).url_path == LONDON
    assert at(selectors.common_scope([chapter(HACKNEY), chapter("fr")])).url_path == ""
    assert at(selectors.common_scope([chapter(HACKNEY)])).url_path == HACKNEY
    assert selectors.common_scope([]) is None


# -- Self-declared stakes -----------------------------------------------------------------


def allow_stakes(cap=3.0):
    set_rule(chapter(HACKNEY), "routine", allow_self_declared_stakes=True, self_declared_cap=cap)


def test_a_member_declares_a_stake_where_the_rule_allows(member, facilitator):
    allow_stakes()
    proposal = in_deliberation(member)
    stake = services.declare_stake(proposal=proposal, member=facilitator, weight=2.5,
                                   reason="I run the café on the square")
    assert (stake.weight, stake.reason) == (2.5, "I run the café on the square")
    # Declaring again replaces it.
    services.declare_stake(proposal=proposal, member=facilitator, weight=3,
                           reason="I run the café")
    assert StakeDeclaration.objects.get().weight == 3.0
    assert selectors.weight_of(proposal, facilitator) == (3.0, "@stake:I run the café")
    services.withdraw_stake(proposal=proposal, member=facilitator)
    assert not StakeDeclaration.objects.exists()


def test_stakes_are_refused_where_the_rule_does_not_allow_them(member, facilitator):
    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match="does not let"):
        services.declare_stake(proposal=proposal, member=facilitator, weight=2, reason="café")
    assert not StakeDeclaration.objects.exists()


@pytest.mark.parametrize("weight, reason, message", [
    (3.5, "café", "at most 3"),
    (0, "café", "above 0"),
    (2, " ", "publicly"),
])
def test_a_bad_stake_is_refused(member, facilitator, weight, reason, message):
    allow_stakes()
    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match=message):
        services.declare_stake(proposal=proposal, member=facilitator, weight=weight,
                               reason=reason)
    assert not StakeDeclaration.objects.exists()


def test_only_members_of_the_scope_declare_stakes_during_deliberation(member, neighbour):
    allow_stakes()
    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match="Only members"):
        services.declare_stake(proposal=proposal, member=neighbour, weight=2, reason="near")
    voting = in_voting(member)
    with pytest.raises(DecisionError, match="during deliberation"):
        services.declare_stake(proposal=voting, member=member, weight=2, reason="near")


# -- Moving up and referring down -----------------------------------------------------------


def test_a_proposal_moves_up_to_a_chapter_containing_the_affected(member, neighbour):
    proposal = in_deliberation(member)
    before = at(proposal.voting_opens_at)
    later = timezone.now() + timedelta(hours=1)
    services.move_up(proposal=proposal, to_chapter=chapter(LONDON), actor=member, now=later)
    proposal.refresh_from_db()
    assert proposal.chapter.url_path == LONDON
    assert at(proposal.voting_opens_at) > before  # the periods restart in the wider scope
    event = proposal.events.get(kind="moved_up")
    assert event.data == {"from": HACKNEY, "to": LONDON}
    assert AuditEntry.objects.filter(action="decisions.move_up").exists()
    # Islington can now be named affected.
    services.set_affected_groups(proposal=proposal, actor=member, groups=[group(ISLINGTON, 2)])


def test_a_facilitator_of_the_scope_may_move_a_published_proposal(member, facilitator):
    proposal = in_deliberation(member)
    services.move_up(proposal=proposal, to_chapter=chapter(LONDON), actor=facilitator)
    proposal.refresh_from_db()
    assert proposal.chapter.url_path == LONDON


def test_moving_is_only_up_and_only_before_voting(member, neighbour, outsider):
    proposal = draft(member)
    for target in (chapter(HACKNEY), chapter(ISLINGTON), chapter("fr")):
        with pytest.raises(DecisionError, match="moves up"):
            services.move_up(proposal=proposal, to_chapter=target, actor=member)
    with pytest.raises(DecisionError, match="author or a facilitator"):
        services.move_up(proposal=proposal, to_chapter=chapter(LONDON), actor=outsider)
    voting = in_voting(member)
    with pytest.raises(DecisionError, match="before voting"):
        services.move_up(proposal=voting, to_chapter=chapter(LONDON), actor=member)
    proposal.refresh_from_db()
    assert proposal.chapter.url_path == HACKNEY


def test_a_proposal_is_referred_down_as_one_copy_per_sub_chapter(member, neighbour):
    set_rule(chapter(ISLINGTON), "routine", deliberation_days=9, amendment_days=1)
    proposal = draft(member, chapter=chapter(LONDON))
    services.set_affected_groups(proposal=proposal, actor=member, groups=[
        group(HACKNEY, 3), group(ISLINGTON, 2),
    ])
    services.publish(proposal=proposal, actor=member)
    copies = services.refer_down(proposal=proposal, to_chapters=[chapter(HACKNEY),
                                                                 chapter(ISLINGTON)], actor=member)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REFERRED
    assert {c.chapter.url_path for c in copies} == {HACKNEY, ISLINGTON}
    for copy in copies:
        assert copy.status == Proposal.Status.DELIBERATION
        assert copy.referred_from == proposal
        assert copy.text == proposal.text
        assert list(copy.affected_groups.values_list("chapter__url_path", flat=True)) == [
            copy.chapter.url_path
        ]
        assert copy.events.get(kind="referred_from").data["from"] == str(proposal.public_id)
    islington = next(c for c in copies if c.chapter.url_path == ISLINGTON)
    # Each copy runs under its own chapter's rule.
    assert at(islington.voting_opens_at) - at(islington.published_at) == timedelta(days=9)
    referred = proposal.events.get(kind="referred_down").data["to"]
    assert {r["chapter"] for r in referred} == {HACKNEY, ISLINGTON}


def test_referring_down_is_to_sub_chapters_while_in_deliberation(member, neighbour, outsider):
    proposal = draft(member)
    with pytest.raises(DecisionError, match="in deliberation"):
        services.refer_down(proposal=proposal, to_chapters=[chapter(HACKNEY)], actor=member)
    services.publish(proposal=proposal, actor=member)
    with pytest.raises(DecisionError, match="not a sub-chapter"):
        services.refer_down(proposal=proposal, to_chapters=[chapter(HACKNEY)], actor=member)
    with pytest.raises(DecisionError, match="Choose"):
        services.refer_down(proposal=proposal, to_chapters=[], actor=member)
    with pytest.raises(DecisionError, match="author or a facilitator"):
        services.refer_down(proposal=proposal, to_chapters=[chapter(HACKNEY)], actor=outsider)
    assert Proposal.objects.count() == 1
