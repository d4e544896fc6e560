"""A chapter's board of proposals by stage, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from chapterhouse.chapters.models import Chapter

from .. import selectors
from ..models import (
    Ballot,
    Participation,
    Proposal,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

from .text import (
    Status,
)

# -- The chapter's board of proposals ------------------------------------------------------


STAGES: tuple[tuple[str, Promise], ...] = (
    (Status.DRAFT, gettext_lazy("My drafts")),
    (Status.VOTING, gettext_lazy("Voting now")),
    (Status.DELIBERATION, gettext_lazy("In deliberation")),
    (Status.CLOSED, gettext_lazy("Decided")),
    (Status.WITHDRAWN, gettext_lazy("Withdrawn")),
    (Status.REFERRED, gettext_lazy("Referred to sub-chapters")),
)
STAGE_ORDER: dict[str, tuple[str, ...]] = {
    Status.DRAFT: ("-updated_at", "-id"),
    Status.DELIBERATION: ("voting_opens_at", "id"),
    Status.VOTING: ("voting_closes_at", "id"),
    Status.CLOSED: ("-closed_at", "-id"),
    Status.WITHDRAWN: ("-updated_at", "-id"),
    Status.REFERRED: ("-updated_at", "-id"),
}


def stage_label(status: str) -> str:
    return str(dict(STAGES).get(status, status))


# What a row of the board (decisions/_proposal_row.html) shows: the text and the
# chapter (the page's own) are not loaded, which matters with a thousand proposals.
ROW_FIELDS = (
    "public_id", "title", "category", "status", "rule_snapshot", "updated_at",
    "voting_opens_at", "voting_closes_at", "author", "author__public_id",
    "author__display_name",
)


def stage_queryset(chapter: Chapter, viewer: Member | None, status: str) -> QuerySet[Proposal]:
    """The chapter's proposals in one stage as `viewer` may see them (drafts: theirs),
    with ROW_FIELDS only."""
    qs = selectors.proposals_in(chapter, viewer=viewer, status=status)
    if status == Status.DRAFT:
        qs = qs.filter(author=viewer) if viewer is not None else qs.none()
    return qs.select_related(None).select_related("author").only(*ROW_FIELDS) \
        .order_by(*STAGE_ORDER[status])


@dataclass
class Stage:
    status: str
    label: str
    proposals: list[Proposal]
    more: bool


def voted_ids(proposals: Sequence[Proposal], viewer: Member | None) -> set[int]:
    """Which of these proposals (in voting) the viewer has voted on: two queries at most."""
    if viewer is None or not proposals:
        return set()
    open_ids = [p.pk for p in proposals if not p.is_secret]
    secret_ids = [p.pk for p in proposals if p.is_secret]
    voted: set[int] = set()
    if open_ids:
        voted |= set(Ballot.objects.filter(member=viewer, proposal_id__in=open_ids)
                     .values_list("proposal_id", flat=True))
    if secret_ids:
        voted |= set(Participation.objects.filter(member=viewer, proposal_id__in=secret_ids)
                     .values_list("proposal_id", flat=True))
    return voted


def board(chapter: Chapter, viewer: Member | None, *, limit: int = 10) -> list[Stage]:
    """The chapter's proposals by stage, the first `limit` of each (one query a stage;
    decided ones are in the decision log)."""
    stages = []
    for status, label in STAGES:
        if status == Status.CLOSED:
            continue
        if status == Status.DRAFT and viewer is None:
            continue
        rows = list(stage_queryset(chapter, viewer, status)[: limit + 1])
        stages.append(Stage(status, str(label), rows[:limit], len(rows) > limit))
    return stages
