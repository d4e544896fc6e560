"""A short vote of everyone affected on held weights (resolution "weights_vote").

When open objections to a proposal's weights pass the rule's threshold and the rule
sends them to a vote (services.objections.hold_for_objections), the members on the
prospective roll vote for WEIGHTS_VOTE_DAYS, each with the same weight, on one
question: keep the weights as they stand, or make them equal (no affected groups, no
declared stakes: everyone in the scope at weight 1). The weights are made equal only
when more members vote for that than for keeping them; a tie, or no votes, keeps them.
When the vote closes, the proposal's own vote opens at once (the scheduled step calls
open_voting, which asks hold_for_objections, which counts this vote).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from chapterhouse.lib import audit
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import moment
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify_members_of

from .. import selectors
from ..models import (
    WEIGHTS_VOTE_DAYS,
    Proposal,
    ProposalEvent,
    WeightObjection,
    WeightsReview,
    WeightsVote,
)
from .common import DecisionError, Status, _event, _locked, _now, schedule_step

Settlement = WeightObjection.Settlement


def start_weights_vote(*, proposal: Proposal, review: WeightsReview, now: datetime) -> None:
    """Open the vote on held weights (the review was just created): it closes in
    WEIGHTS_VOTE_DAYS; everyone affected is told; the closing step is scheduled."""
    closes = now + timedelta(days=WEIGHTS_VOTE_DAYS)
    review.vote_closes_at = closes
    review.save(update_fields=["vote_closes_at"])
    title = proposal.title
    notify_members_of(
        chapter=proposal.chapter, kind=Kind.WEIGHT_OBJECTION,
        message="decisions.weights_vote", params={"title": title, "when": moment(closes)},
        url=proposal.get_absolute_url() + "#objections")
    schedule_step(proposal, closes)


def vote_on_weights(*, proposal: Proposal, member: Member, keep: bool,
                    now: datetime | None = None) -> WeightsVote:
    """A member on the prospective roll votes to keep the held weights or make them
    equal; voting again replaces their vote, until the vote closes."""
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        review = (WeightsReview.objects.select_for_update()
                  .filter(proposal=proposal, settled_at__isnull=True).first())
        if (proposal.status != Status.DELIBERATION or review is None or not review.by_vote
                or review.vote_closes_at is None or now >= review.vote_closes_at):
            raise DecisionError(_("No vote on the weights of this proposal is open."))
        if selectors.weight_of(proposal, member) is None:
            raise DecisionError(_("Only members affected by this proposal vote on its "
                                  "weights."))
        vote, created = WeightsVote.objects.update_or_create(
            review=review, member=member, defaults={"keep": keep, "cast_at": now})
        audit.record(actor=member, action="decisions.vote_on_weights", target=proposal,
                     chapter=proposal.chapter, data={"changed": not created})
    return vote


def count_weights_vote(*, proposal: Proposal, review: WeightsReview, now: datetime) -> bool:
    """Settle held weights by their vote once it has closed (with the proposal locked,
    from hold_for_objections); returns whether they are settled."""
    if review.vote_closes_at is None or now < review.vote_closes_at:
        return False
    counts = review.votes.aggregate(for_keeping=Count("id", filter=Q(keep=True)),
                                    for_equal=Count("id", filter=Q(keep=False)))
    keep, equal = counts["for_keeping"], counts["for_equal"]
    settlement = Settlement.EQUALISED_BY_VOTE if equal > keep else Settlement.KEPT_BY_VOTE
    if settlement == Settlement.EQUALISED_BY_VOTE:
        proposal.affected_groups.all().delete()
        proposal.stake_declarations.all().delete()
        _event(proposal, ProposalEvent.Kind.AFFECTEDNESS_CHANGED, None, groups=[],
               stakes_removed=True)
    review.settled_at, review.settlement = now, settlement
    review.keep_votes, review.equal_votes = keep, equal
    review.save(update_fields=["settled_at", "settlement", "keep_votes", "equal_votes"])
    WeightObjection.objects.filter(proposal=proposal, status=WeightObjection.Status.OPEN).update(
        status=WeightObjection.Status.SETTLED, settlement=settlement, closed_at=now)
    audit.record(actor=None, action="decisions.count_weights_vote", target=proposal,
                 chapter=proposal.chapter,
                 data={"keep": keep, "equal": equal, "settlement": settlement})
    return True
