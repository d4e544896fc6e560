"""What needs a member, first thing on their home page (the tag needs_you)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.rawsql import Prepared

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


# What the lists show of a proposal (decisions/_needs_you.html): not its text, payload
# or rule, which a row would carry and parse for nothing.
_LISTED = ("public_id", "title", "chapter", "voting_opens_at", "voting_closes_at")


def _votes(member_id: int) -> QuerySet[Proposal]:
    voted = Ballot.objects.filter(member_id=member_id).values("proposal_id")
    took_part = Participation.objects.filter(member_id=member_id).values("proposal_id")
    return (Proposal.objects.filter(status=Proposal.Status.VOTING,
                                    roll__entries__member_id=member_id)
            .exclude(pk__in=voted).exclude(pk__in=took_part).only(*_LISTED)
            .select_related("chapter").order_by("voting_closes_at", "pk")[:HOME_LIMIT])


def _deliberating(chapter_paths: list[str]) -> QuerySet[Proposal]:
    found = Proposal.objects.filter(status=Proposal.Status.DELIBERATION,
                                    chapter__path__in=chapter_paths)
    if connection.vendor == "postgresql":
        # The first HOME_LIMIT of each chapter by the partial index "proposal_deliberating",
        # then the first of those: a read of at most HOME_LIMIT rows a chapter, however
        # many are in deliberation there (all of them were read and sorted: 3 ms at tier M).
        places = ", ".join(["%s"] * len(chapter_paths))
        first = RawSQL(_FIRST_OF_EACH.format(places=places), chapter_paths)  # noqa: S611
        found = Proposal.objects.filter(pk__in=first)  # (our SQL; the paths are parameters)
    return (found.only(*_LISTED).select_related("chapter")
            .order_by("voting_opens_at", "pk")[:HOME_LIMIT])


_FIRST_OF_EACH = (
    f"SELECT d.id FROM {Chapter._meta.db_table} c CROSS JOIN LATERAL ("  # noqa: S608
    f"SELECT p.id FROM {Proposal._meta.db_table} p WHERE p.chapter_id = c.id "
    f"AND p.status = '{Proposal.Status.DELIBERATION.value}' "
    f"ORDER BY p.voting_opens_at, p.id LIMIT {HOME_LIMIT}) d "
    "WHERE c.path IN ({places})"
)


def _amendments(member_id: int) -> QuerySet[Amendment]:
    return (Amendment.objects.filter(proposal__author_id=member_id,
                                     status=Amendment.Status.OPEN,
                                     proposal__status=Proposal.Status.DELIBERATION)
            .select_related("proposal", "author").order_by("-created_at", "-pk")[:HOME_LIMIT])


def _objections(member_id: int) -> QuerySet[WeightObjection]:
    return (WeightObjection.objects.filter(proposal__author_id=member_id,
                                           status=WeightObjection.Status.OPEN,
                                           proposal__status=Proposal.Status.DELIBERATION)
            .select_related("proposal", "member").order_by("-created_at", "-pk")[:HOME_LIMIT])


# Every member's home page asks these: their SQL is built once (lib.rawsql.Prepared).
_VOTES, _DELIBERATING = Prepared(_votes), Prepared(_deliberating)
_AMENDMENTS, _OBJECTIONS = Prepared(_amendments), Prepared(_objections)


def needs_you(member: Member) -> NeedsYou:
    """The votes waiting for the member's ballot (soonest closing first), the proposals
    in deliberation in their chapters (soonest vote first), and the open amendments
    to their own proposals and the open objections to their weights (newest first).
    Four queries, whatever the numbers."""
    return NeedsYou(votes=_VOTES(member.pk),
                    deliberating=_DELIBERATING(member.home_chapter.ancestor_paths()),
                    amendments=_AMENDMENTS(member.pk), objections=_OBJECTIONS(member.pk))
