"""What needs a member, first thing on their home page (the tag needs_you)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chapterhouse.chapters.models import Chapter

from ..models import Amendment, Ballot, Participation, Proposal, WeightObjection

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

# Each list on the home page shows at most this many; the rest are a link away.
HOME_LIMIT = 10


@dataclass
class NeedsYou:
    votes: list[Proposal]
    deliberating: list[Proposal]
    amendments: list[Amendment]
    objections: list[WeightObjection]

    @property
    def empty(self) -> bool:
        return not (self.votes or self.deliberating or self.amendments or self.objections)


def needs_you(member: Member) -> NeedsYou:
    """The votes waiting for the member's ballot (soonest closing first), the proposals
    in deliberation in their chapters (soonest vote first), and the open amendments
    to their own proposals and the open objections to their weights (newest first).
    Four queries, whatever the numbers."""
    voted = Ballot.objects.filter(member=member).values("proposal_id")
    took_part = Participation.objects.filter(member=member).values("proposal_id")
    votes = list(
        Proposal.objects.filter(status=Proposal.Status.VOTING, roll__entries__member=member)
        .exclude(pk__in=voted).exclude(pk__in=took_part)
        .select_related("chapter").order_by("voting_closes_at", "pk")[:HOME_LIMIT]
    )
    deliberating = list(
        Proposal.objects.filter(status=Proposal.Status.DELIBERATION,
                                chapter__in=Chapter.objects.containing(member.home_chapter))
        .select_related("chapter").order_by("voting_opens_at", "pk")[:HOME_LIMIT]
    )
    amendments = list(
        Amendment.objects.filter(proposal__author=member, status=Amendment.Status.OPEN,
                                 proposal__status=Proposal.Status.DELIBERATION)
        .select_related("proposal", "author").order_by("-created_at", "-pk")[:HOME_LIMIT]
    )
    objections = list(
        WeightObjection.objects.filter(proposal__author=member,
                                       status=WeightObjection.Status.OPEN,
                                       proposal__status=Proposal.Status.DELIBERATION)
        .select_related("proposal", "member").order_by("-created_at", "-pk")[:HOME_LIMIT]
    )
    return NeedsYou(votes=votes, deliberating=deliberating, amendments=amendments,
                    objections=objections)
