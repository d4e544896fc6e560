"""Proposals visible to a member, their versions, amendments, options and diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from chapterhouse.chapters.models import Chapter

from ..models import (
    Amendment,
    Option,
    Proposal,
    ProposalEvent,
    ProposalVersion,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


# -- Proposals --------------------------------------------------------------------------


def proposals_visible_to(member: Member | None) -> QuerySet[Proposal]:
    """Published proposals, and the viewer's own drafts."""
    condition = ~Q(status=Proposal.Status.DRAFT)
    if member is not None:
        condition |= Q(author=member)
    return Proposal.objects.filter(condition)


def proposals_in(chapter: Chapter, *, viewer: Member | None = None,
                 status: str | None = None) -> QuerySet[Proposal]:
    """The proposals scoped to `chapter` that `viewer` may see, newest first."""
    qs = proposals_visible_to(viewer).filter(chapter=chapter).select_related("chapter", "author")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def get_proposal_for(public_id: Any, viewer: Member | None) -> Proposal | None:
    """The proposal with `public_id` if `viewer` may see it, else None (a 404)."""
    return (
        proposals_visible_to(viewer)
        .select_related("chapter", "author")
        .filter(public_id=public_id)
        .first()
    )


def proposal_history(proposal: Proposal) -> QuerySet[ProposalEvent]:
    return proposal.events.select_related("actor").order_by("created_at", "id")


def versions(proposal: Proposal) -> QuerySet[ProposalVersion]:
    return proposal.versions.select_related("author", "amendment").order_by("number")


def amendments(proposal: Proposal) -> QuerySet[Amendment]:
    return proposal.amendments.select_related("author").order_by("number")


def options(proposal: Proposal) -> list[Option]:
    return list(proposal.options.order_by("position", "id"))


@dataclass(frozen=True)
class DiffBlock:
    """One block of a line diff: tag is "equal", "insert", "delete" or "replace"."""

    tag: str
    old: list[str]
    new: list[str]


def version_diff(proposal: Proposal, old: int, new: int) -> list[DiffBlock]:
    """The line diff between two versions of the text (difflib), for display.

    Raises ProposalVersion.DoesNotExist for an unknown version number.
    """
    texts = dict(
        ProposalVersion.objects.filter(proposal=proposal, number__in=[old, new]).values_list(
            "number", "text"
        )
    )
    if old not in texts or new not in texts:
        raise ProposalVersion.DoesNotExist(f"No version {old} or {new} of this proposal.")
    a, b = texts[old].splitlines(), texts[new].splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [
        DiffBlock(tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def unified_version_diff(proposal: Proposal, old: int, new: int) -> str:
    """The same diff as a unified diff text (for download or plain display)."""
    texts = dict(
        ProposalVersion.objects.filter(proposal=proposal, number__in=[old, new]).values_list(
            "number", "text"
        )
    )
    if old not in texts or new not in texts:
        raise ProposalVersion.DoesNotExist(f"No version {old} or {new} of this proposal.")
    return "".join(
        difflib.unified_diff(
            texts[old].splitlines(keepends=True), texts[new].splitlines(keepends=True),
            fromfile=f"version {old}", tofile=f"version {new}",
        )
    )
