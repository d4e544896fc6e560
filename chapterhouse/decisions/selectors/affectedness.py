"""Who is affected by a proposal and with what weight (before the roll is frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter

from ..models import (
    Proposal,
    RollEntry,
    StakeDeclaration,
)

if TYPE_CHECKING:
    from chapterhouse.lib.interface import Viewer
    from chapterhouse.members.models import Member


# -- Affectedness -----------------------------------------------------------------------


def belongs_to(member: Member, chapter: Chapter) -> bool:
    """Whether the member's home is `chapter` or below it (home_chapter is loaded once)."""
    return member.belongs_to(chapter)


def weight_of(proposal: Proposal, member: Member) -> tuple[float, str] | None:
    """The member's weight and its reason in this proposal, or None if not affected.

    After voting opened this is the frozen roll; before, it is computed from the
    affected groups and the member's stake declaration (as the roll will be).
    A request that asks several times (its permission checks do) asks `weight_for`.
    """
    if proposal.rule_snapshot is not None:
        row = (
            RollEntry.objects.filter(roll__proposal=proposal, member=member)
            .values_list("weight", "reason")
            .first()
        )
        return (row[0], row[1]) if row is not None else None
    if not member.user.is_active or not belongs_to(member, proposal.chapter):
        return None
    weight, reason = 1.0, default_reason(proposal.chapter)
    groups = proposal.affected_groups.select_related("chapter").order_by("-chapter__depth")
    for group in groups:
        if group.chapter.contains(member.home_chapter):
            weight, reason = group.weight, group_reason(group.chapter, group.reason)
            break
    stake = (
        proposal.stake_declarations.filter(member=member).values_list("weight", "reason").first()
    )
    if stake is not None and stake[0] > weight:
        weight, reason = stake[0], stake_reason(stake[1])
    return (weight, reason) if weight > 0 else None


def weight_for(viewer: Viewer, proposal: Proposal) -> tuple[float, str] | None:
    """The viewer's `weight_of` in this proposal, asked once per request (the viewer
    forgets it after a write: lib.interface.form_action)."""
    member = viewer.member
    if member is None:
        return None
    return viewer.recall(("weight", proposal.pk), lambda: weight_of(proposal, member))


# Why a member is on a roll, stored as a code the same in every language (so a roll's
# hash does not depend on who froze it); presenters.reason_texts says it in words.
def default_reason(scope: Chapter) -> str:
    return f"@member:{scope.url_path}"


def group_reason(chapter: Chapter, reason: str) -> str:
    return f"@group:{chapter.url_path}:{reason}"[:400]


def stake_reason(reason: str) -> str:
    return f"@stake:{reason}"[:400]


@dataclass(frozen=True)
class AffectedRow:
    chapter: Chapter
    weight: float
    reason: str
    members: int  # members this weight applies to (the group minus deeper groups)


def affectedness(proposal: Proposal) -> list[AffectedRow]:
    """Who is affected with what weight, by group, for display before voting opens.

    From the denormalised member counts, with no scan of members (two queries): the
    scope at weight 1 (unless a group names the scope itself), then each group, each
    counting its members minus those of the groups nested directly inside it. An
    estimate: the roll frozen at opening is exact (it also leaves out deactivated
    accounts and adds declared stakes).
    """
    scope = proposal.chapter
    groups = {g.chapter_id: g for g in proposal.affected_groups.select_related("chapter")}
    chapters = [scope] + [g.chapter for g in groups.values() if g.chapter_id != scope.pk]
    rows: list[AffectedRow] = []
    for chapter in sorted(chapters, key=lambda c: c.path):
        inside = [c for c in chapters if chapter.strictly_contains(c)]
        nested = [
            c for c in inside
            if not any(d.strictly_contains(c) for d in inside)
        ]
        members = chapter.member_count - sum(c.member_count for c in nested)
        group = groups.get(chapter.pk)
        weight = group.weight if group else 1.0
        reason = group.reason if group else _("member of %(chapter)s") % {
            "chapter": scope.display_name()}
        rows.append(AffectedRow(chapter, weight, reason, max(members, 0)))
    return rows


def stakes(proposal: Proposal) -> QuerySet[StakeDeclaration]:
    return proposal.stake_declarations.select_related("member").order_by("-weight", "created_at")


def common_scope(chapters: list[Chapter]) -> Chapter | None:
    """The deepest chapter containing all of `chapters` (their nearest common ancestor)."""
    if not chapters:
        return None
    prefix = chapters[0].path
    for chapter in chapters[1:]:
        # Path arithmetic (the shared prefix of materialised paths), not a tree query.
        while not chapter.path.startswith(prefix):
            prefix = prefix[: -chapters[0].steplen]
    return Chapter.objects.filter(path=prefix).first()
