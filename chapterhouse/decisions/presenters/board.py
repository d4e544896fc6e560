"""A chapter's board of proposals by stage, in a constant number of queries."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
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


def _in_stage_order(rows: list[Proposal], status: str) -> list[Proposal]:
    """`rows` in STAGE_ORDER[status], as the database orders them (nulls last going
    up, first going down): a union does not promise to keep its parts' order."""
    for field in reversed(STAGE_ORDER[status]):
        rows.sort(key=functools.partial(_sort_key, field.lstrip("-")),
                  reverse=field.startswith("-"))
    return rows


def _sort_key(name: str, proposal: Proposal) -> tuple[bool, Any]:
    value = getattr(proposal, name)
    return (value is None, 0 if value is None else value)


def board(chapter: Chapter, viewer: Member | None, *, limit: int = 10) -> list[Stage]:
    """The chapter's proposals by stage, the first `limit` of each (decided ones are in
    the decision log). One query, each stage's first `limit` + 1 (the one more says
    there are more) in a UNION ALL; a query a stage where the database cannot order
    and limit the parts of a union (SQLite)."""
    shown = [(status, label) for status, label in STAGES if status != Status.CLOSED
             and (status != Status.DRAFT or viewer is not None)]
    parts = [stage_queryset(chapter, viewer, status)[: limit + 1] for status, _label in shown]
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = [proposal for part in parts for proposal in part]
    by_stage: dict[str, list[Proposal]] = {status: [] for status, _label in shown}
    for proposal in rows:
        by_stage[proposal.status].append(proposal)
    stages = []
    for status, label in shown:
        found = _in_stage_order(by_stage[status], status)
        stages.append(Stage(status, str(label), found[:limit], len(found) > limit))
    return stages
