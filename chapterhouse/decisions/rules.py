"""Who may do what with proposals and decisions. Checked through `viewer.can(name, obj)`
(lib.interface; `user.has_perm(name, obj)` outside a request).

- Drafts are visible to their author only; a published proposal (and its record)
  to anyone: every chapter is public to read.
- Members of a chapter propose in it; its affected members amend, deliberate and
  (once on the frozen roll) vote; the author edits, publishes and withdraws a draft
  and accepts amendments; the author or a facilitator of the scope moves a proposal
  up or refers it down.
- Members on the prospective roll object to weights during deliberation; when the
  objections hold the vote, a facilitator of the parent chapter settles them.
- Nobody opens or closes a vote by hand, not even a facilitator: that happens at the
  times set (decisions.tasks and the advance_decisions command).
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator
from chapterhouse.lib.interface import Viewer

from . import selectors
from .models import Amendment, Decision, Proposal, WeightsReview, settlers_chapter

Status = Proposal.Status


def _proposal_of(obj: Any) -> Proposal | None:
    if isinstance(obj, Proposal):
        return obj
    if isinstance(obj, Amendment | Decision):
        return obj.proposal
    return None


# -- Predicates about the proposal --------------------------------------------------------


@rules.predicate
def is_draft(viewer: Viewer, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.status == Status.DRAFT


@rules.predicate
def is_published(viewer: Viewer, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.is_published


@rules.predicate
def in_deliberation(viewer: Viewer, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.status == Status.DELIBERATION


@rules.predicate
def amendments_open(viewer: Viewer, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.amendments_open(timezone.now())


@rules.predicate
def voting_open(viewer: Viewer, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.voting_open(timezone.now())


@rules.predicate
def in_deliberation_or_voting(viewer: Viewer, proposal: Proposal | None) -> bool:
    return proposal is not None and proposal.status in (Status.DELIBERATION, Status.VOTING)


# -- Predicates about the user ------------------------------------------------------------


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    member = viewer.active_member
    return member is not None and chapter is not None and selectors.belongs_to(member, chapter)


@rules.predicate
def belongs_to_scope(viewer: Viewer, proposal: Proposal | None) -> bool:
    member = viewer.active_member
    return (
        member is not None and proposal is not None
        and selectors.belongs_to(member, proposal.chapter)
    )


@rules.predicate
def is_author(viewer: Viewer, proposal: Proposal | None) -> bool:
    member = viewer.active_member
    return (
        member is not None and proposal is not None and proposal.author_id is not None
        and proposal.author_id == member.pk
    )


@rules.predicate
def is_affected(viewer: Viewer, proposal: Proposal | None) -> bool:
    """On the roll once voting opened; before that, a member of the scope whose
    weight (groups, stake) is above 0."""
    return (
        viewer.active_member is not None and proposal is not None
        and selectors.weight_for(viewer, proposal) is not None
    )


@rules.predicate
def on_roll(viewer: Viewer, proposal: Proposal | None) -> bool:
    # The roll is frozen with the rule snapshot when voting opens; weight_for reads it
    # (once per request).
    return (
        viewer.active_member is not None and proposal is not None
        and proposal.rule_snapshot is not None
        and selectors.weight_for(viewer, proposal) is not None
    )


@rules.predicate
def facilitates_scope(viewer: Viewer, proposal: Proposal | None) -> bool:
    return (
        proposal is not None and viewer.active_member is not None
        and is_active_facilitator(viewer, proposal.chapter)
    )


@rules.predicate
def stakes_allowed(viewer: Viewer, proposal: Proposal | None) -> bool:
    if proposal is None:
        return False
    rule = selectors.effective_rule(proposal.chapter, proposal.category)
    return rule is not None and rule.allow_self_declared_stakes


def _held_review(viewer: Viewer, proposal: Proposal | None) -> WeightsReview | None:
    """The pending review holding a proposal in deliberation (once per request, or
    none when the page told `knows_review`)."""
    if proposal is None or proposal.status != Status.DELIBERATION:
        return None
    review: WeightsReview | None = viewer.recall(
        _held_key(proposal),
        lambda: WeightsReview.objects.filter(proposal=proposal,
                                             settled_at__isnull=True).first())
    return review


def _held_key(proposal: Proposal) -> tuple[str, int]:
    return ("weights_held", proposal.pk)


def knows_review(viewer: Viewer, proposal: Proposal, review: WeightsReview | None) -> None:
    """Tell the rules `proposal`'s weights review (None: it has none), which the page
    loaded anyway: the rules asked then need no query of their own for it."""
    viewer.remember(_held_key(proposal),
                    review if review is not None and review.settled_at is None else None)


@rules.predicate
def weights_held(viewer: Viewer, proposal: Proposal | None) -> bool:
    """In deliberation, its vote held until objections to its weights are settled."""
    return _held_review(viewer, proposal) is not None


@rules.predicate
def weights_held_for_settlers(viewer: Viewer, proposal: Proposal | None) -> bool:
    review = _held_review(viewer, proposal)
    return review is not None and not review.by_vote


@rules.predicate
def weights_vote_open(viewer: Viewer, proposal: Proposal | None) -> bool:
    """Everyone affected votes on its held weights, now."""
    review = _held_review(viewer, proposal)
    return (review is not None and review.by_vote and review.vote_closes_at is not None
            and timezone.now() < review.vote_closes_at)


@rules.predicate
def facilitates_settlers(viewer: Viewer, proposal: Proposal | None) -> bool:
    """A facilitator of the chapter that settles held weights (the scope's parent)."""
    return (
        proposal is not None and viewer.active_member is not None
        and is_active_facilitator(viewer, viewer.recall(("settlers", proposal.pk),
                                                        lambda: settlers_chapter(proposal)))
    )


# -- Predicates about amendments and decisions --------------------------------------------


@rules.predicate
def authors_amended_proposal(viewer: Viewer, amendment: Amendment | None) -> bool:
    return amendment is not None and is_author(viewer, amendment.proposal)


@rules.predicate
def is_amendment_author(viewer: Viewer, amendment: Amendment | None) -> bool:
    member = viewer.active_member
    return (
        member is not None and amendment is not None and amendment.author_id is not None
        and amendment.author_id == member.pk
    )


@rules.predicate
def amendment_is_open(viewer: Viewer, amendment: Amendment | None) -> bool:
    return (
        amendment is not None and amendment.status == Amendment.Status.OPEN
        and amendment.proposal.status == Status.DELIBERATION
    )


@rules.predicate
def may_dissent(viewer: Viewer, decision: Decision | None) -> bool:
    member = viewer.active_member
    return member is not None and decision is not None and selectors.may_dissent(decision, member)


@rules.predicate
def proposal_is_visible(viewer: Viewer, obj: Any) -> bool:
    proposal = _proposal_of(obj)
    return proposal is not None and (is_published(viewer, proposal) or is_author(viewer, proposal))


rules.add_perm("decisions.view_proposal", is_published | is_author)
rules.add_perm("decisions.view_decision", proposal_is_visible)
rules.add_perm("decisions.create_proposal", belongs_to_chapter)
rules.add_perm("decisions.edit_draft", is_author & is_draft)
rules.add_perm("decisions.publish_proposal", is_author & is_draft)
rules.add_perm("decisions.withdraw_proposal", is_author & (is_draft | in_deliberation))
rules.add_perm("decisions.amend", amendments_open & is_affected)
rules.add_perm("decisions.accept_amendment", authors_amended_proposal & amendment_is_open)
rules.add_perm("decisions.withdraw_amendment", is_amendment_author & amendment_is_open)
rules.add_perm("decisions.set_affected_groups", is_author & (is_draft | in_deliberation))
rules.add_perm("decisions.declare_stake", in_deliberation & belongs_to_scope & stakes_allowed)
# The posting rule of a proposal's deliberation thread (discussions.Thread.posting_rule).
rules.add_perm("decisions.deliberate", in_deliberation_or_voting & is_affected)
rules.add_perm("decisions.cast_ballot", voting_open & on_roll)
# Anyone on the prospective roll may object to a weight during deliberation, until the
# vote is held for the objections; the parent chapter's facilitators then settle them.
rules.add_perm("decisions.object_to_weight", in_deliberation & is_affected & ~weights_held)
rules.add_perm("decisions.settle_objections", weights_held_for_settlers & facilitates_settlers)
# ...or, by rule, everyone affected votes on them for a short while.
rules.add_perm("decisions.vote_on_weights", weights_vote_open & is_affected)
rules.add_perm("decisions.add_dissent", may_dissent)
# A draft is its author's alone; once published, a facilitator of the scope may also move it.
rules.add_perm(
    "decisions.move_up",
    (is_author & (is_draft | in_deliberation)) | (facilitates_scope & in_deliberation),
)
rules.add_perm("decisions.refer_down", (is_author | facilitates_scope) & in_deliberation)
# Voting opens and closes at the times set; nobody may bypass them.
rules.add_perm("decisions.open_voting", rules.always_deny)
rules.add_perm("decisions.close_voting", rules.always_deny)
