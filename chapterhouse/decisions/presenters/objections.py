"""Objections to a proposal's weights, shaped for the proposal page and the record
(two queries, however many objections)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chapterhouse.lib.rawsql import Prepared

from ..models import Proposal, ProposalEvent, WeightObjection

if TYPE_CHECKING:
    from chapterhouse.lib.interface import Viewer


@dataclass(frozen=True)
class ObjectionRow:
    objection: WeightObjection
    target: str            # the weight objected to, in words
    revised_since: bool    # the weights changed after it was made (or last maintained)
    mine: bool             # the viewer made it, and may withdraw or maintain it


def target_label(objection: WeightObjection, proposal: Proposal) -> str:
    if objection.target == WeightObjection.Target.GROUP and objection.chapter is not None:
        return _("the weight of %(group)s") % {"group": objection.chapter.display_name()}
    if objection.target == WeightObjection.Target.STAKE:
        name = objection.stake_member.display_name if objection.stake_member else "—"
        return _("the stake declared by %(name)s") % {"name": name}
    return _("the default weight in %(chapter)s") % {"chapter": proposal.chapter.display_name()}


def _last_revised(proposal_id: int, kind: str) -> QuerySet[ProposalEvent, datetime]:
    return (ProposalEvent.objects.filter(proposal_id=proposal_id, kind=kind)
            .order_by("-created_at").values_list("created_at", flat=True)[:1])


def _objections(proposal_id: int) -> QuerySet[WeightObjection]:
    return (WeightObjection.objects.filter(proposal_id=proposal_id)
            .select_related("member", "chapter", "stake_member", "settled_by")
            .order_by("created_at", "id"))


# Every proposal page asks these: their SQL is built once (lib.rawsql.Prepared).
_LAST_REVISED, _OBJECTIONS = Prepared(_last_revised), Prepared(_objections)


def objection_rows(proposal: Proposal, viewer: Viewer | None = None) -> list[ObjectionRow]:
    """Every objection (open first), with whether the weights were revised since."""
    found = _LAST_REVISED(proposal.pk, str(ProposalEvent.Kind.AFFECTEDNESS_CHANGED))
    revised: datetime | None = found[0] if found else None
    member = viewer.active_member if viewer is not None else None
    rows = []
    objections: list[WeightObjection] = _OBJECTIONS(proposal.pk)
    for objection in objections:
        is_open = objection.status == WeightObjection.Status.OPEN
        rows.append(ObjectionRow(
            objection=objection,
            target=target_label(objection, proposal),
            revised_since=is_open and revised is not None
            and revised > objection.stands_since,  # type: ignore[operator]
            mine=is_open and member is not None and objection.member_id == member.pk
            and proposal.status == Proposal.Status.DELIBERATION,
        ))
    rows.sort(key=lambda r: r.objection.status != WeightObjection.Status.OPEN)
    return rows
