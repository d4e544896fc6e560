"""Objections to a proposal's weights, and how the rule settles the open ones.

- During deliberation any member on the prospective roll (selectors.weight_of) may
  object to a weight: an affected group's, the scope's default weight, or a
  declared stake, with a public reason. The author hears of it and may revise the
  weights (services.set_affected_groups); an objection made before the latest
  revision is shown as "weights revised since", and its author withdraws or
  maintains it. A revision alone never closes an objection: only its author does,
  or the settlement.
- When voting is due (services.open_voting asks `hold_for_objections`), the weight
  of the members with open objections is measured on the roll as it would be
  frozen then, exactly (rationals). If it reaches the rule's
  `objection_threshold` (a share of the roll's weight) and the rule's
  `objection_resolution` is "parent_facilitators", the vote is held (a
  WeightsReview) until a facilitator of the parent chapter (of the scope itself for
  the root chapter, which has no parent) accepts the weights or sets them
  (`settle_objections`); voting then opens at once. With "weights_vote", everyone
  affected votes on keeping the weights or making them equal (services.weights_vote),
  and voting opens when that vote closes. Otherwise the vote opens and the open
  objections are recorded as unresolved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from .. import selectors
from ..models import (
    DecisionRule,
    ObjectionResolution,
    Proposal,
    Roll,
    RollEntry,
    WeightObjection,
    WeightsReview,
    settlers_chapter,
)
from .common import DecisionError, GroupInput, Status, _facilitators, _is_facilitator, _locked, _now
from .weights_vote import count_weights_vote, start_weights_vote

Target = WeightObjection.Target
Settlement = WeightObjection.Settlement


def _exact(value: Any) -> Fraction:
    """A weight as an exact rational, whatever number type the roll stores."""
    return Fraction(str(value))


def object_to_weight(*, proposal: Proposal, member: Member, target: str, reason: str,
                     chapter: Chapter | None = None, stake_member: Member | None = None,
                     now: datetime | None = None) -> WeightObjection:
    """Object to one weight of a proposal in deliberation, with a public reason."""
    now = _now(now)
    reason = (reason or "").replace("\r\n", "\n").strip()
    if not reason:
        raise DecisionError(_("Say why you object to this weight."))
    if len(reason) > 2000:
        raise DecisionError(_("A reason can be at most 2,000 characters long."))
    if target not in Target.values:
        raise DecisionError(_("Choose the weight you object to."))
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != Status.DELIBERATION or \
                WeightsReview.objects.filter(proposal=proposal).exists():
            raise DecisionError(_("Weights can be objected to only during deliberation."))
        if selectors.weight_of(proposal, member) is None:
            raise DecisionError(_("Only members on the roll of this proposal can object to "
                                  "its weights."))
        if target == Target.GROUP:
            stake_member = None
            if chapter is None or not proposal.affected_groups.filter(chapter=chapter).exists():
                raise DecisionError(_("Choose one of the proposal's affected groups."))
        elif target == Target.STAKE:
            chapter = None
            if stake_member is None or not proposal.stake_declarations.filter(
                    member=stake_member).exists():
                raise DecisionError(_("Choose one of the declared stakes."))
        else:
            chapter = stake_member = None
        if WeightObjection.objects.filter(
                proposal=proposal, member=member, target=target, chapter=chapter,
                stake_member=stake_member, status=WeightObjection.Status.OPEN).exists():
            raise DecisionError(_("You already object to this weight."))
        objection = WeightObjection.objects.create(
            proposal=proposal, member=member, target=target, chapter=chapter,
            stake_member=stake_member, reason=reason, created_at=now,
        )
        audit.record(actor=member, action="decisions.object_to_weight", target=objection,
                     chapter=proposal.chapter,
                     data={"proposal": str(proposal.public_id), "target": target,
                           "chapter": chapter.url_path if chapter else None,
                           "stake": str(stake_member.public_id) if stake_member else None,
                           "reason": reason})
        if proposal.author is not None and proposal.author_id != member.pk:
            title, name = proposal.title, member.display_name
            notify(recipients=[proposal.author], kind=Kind.WEIGHT_OBJECTION,
                   message="decisions.weight_objection",
                   params={"name": name, "title": title},
                   url=proposal.get_absolute_url() + "#affectedness")
    return objection


def _own_open(objection: WeightObjection, member: Member) -> tuple[Proposal, WeightObjection]:
    proposal = _locked(objection.proposal)
    objection = WeightObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.member_id != member.pk:
        raise DecisionError(_("Only the member who objected can do this."))
    if objection.status != WeightObjection.Status.OPEN or proposal.status != Status.DELIBERATION:
        raise DecisionError(_("This objection is no longer open."))
    return proposal, objection


def withdraw_objection(*, objection: WeightObjection, member: Member,
                       now: datetime | None = None) -> WeightObjection:
    """The objector withdraws their objection (e.g. the weights were revised)."""
    now = _now(now)
    with transaction.atomic():
        proposal, objection = _own_open(objection, member)
        objection.status, objection.closed_at = WeightObjection.Status.WITHDRAWN, now
        objection.save(update_fields=["status", "closed_at"])
        audit.record(actor=member, action="decisions.withdraw_objection", target=objection,
                     chapter=proposal.chapter, data={"proposal": str(proposal.public_id)})
    return objection


def maintain_objection(*, objection: WeightObjection, member: Member,
                       now: datetime | None = None) -> WeightObjection:
    """The objector says their objection still stands after the weights were revised."""
    now = _now(now)
    with transaction.atomic():
        proposal, objection = _own_open(objection, member)
        objection.maintained_at = now
        objection.save(update_fields=["maintained_at"])
        audit.record(actor=member, action="decisions.maintain_objection", target=objection,
                     chapter=proposal.chapter, data={"proposal": str(proposal.public_id)})
    return objection


class _Measured(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, objecting: Fraction, total: Fraction) -> None:
        self.objecting, self.total = objecting, total


def _measure(proposal: Proposal, now: datetime,
             freeze: Callable[[Proposal, datetime], Roll]) -> tuple[Fraction, Fraction]:
    """The weight of the open objectors and the roll's total, on the roll as it would be
    frozen now (frozen inside a savepoint that is rolled back)."""
    objectors = (WeightObjection.objects.filter(proposal=proposal,
                                                status=WeightObjection.Status.OPEN)
                 .values("member_id"))
    try:
        with transaction.atomic():
            roll = freeze(proposal, now)
            weights = RollEntry.objects.filter(roll=roll, member_id__in=objectors) \
                .values_list("weight", flat=True)
            raise _Measured(sum((_exact(w) for w in weights), Fraction(0)),
                            _exact(roll.total_weight))
    except _Measured as measured:
        return measured.objecting, measured.total


def hold_for_objections(*, proposal: Proposal, rule: DecisionRule, now: datetime,
                        freeze: Callable[[Proposal, datetime], Roll]) -> bool:
    """Whether the vote must wait for the weights to be settled (open_voting asks, with
    the proposal locked). When it need not, open objections are recorded as unresolved."""
    review = WeightsReview.objects.filter(proposal=proposal).first()
    if review is not None:
        if review.pending and review.by_vote:
            return not count_weights_vote(proposal=proposal, review=review, now=now)
        return review.pending
    open_objections = WeightObjection.objects.filter(proposal=proposal,
                                                     status=WeightObjection.Status.OPEN)
    if not open_objections.exists():
        return False
    if rule.objection_resolution in (ObjectionResolution.PARENT_FACILITATORS,
                                     ObjectionResolution.WEIGHTS_VOTE):
        objecting, total = _measure(proposal, now, freeze)
        threshold = _exact(rule.objection_threshold)
        if total > 0 and objecting >= threshold * total:
            review = WeightsReview.objects.create(
                proposal=proposal, resolution=rule.objection_resolution,
                objecting_weight=str(objecting), total_weight=str(total),
                threshold=rule.objection_threshold, held_at=now)
            audit.record(actor=None, action="decisions.hold_for_objections", target=proposal,
                         chapter=proposal.chapter,
                         data={"objecting_weight": str(objecting), "total_weight": str(total),
                               "threshold": rule.objection_threshold,
                               "resolution": rule.objection_resolution})
            if review.by_vote:
                start_weights_vote(proposal=proposal, review=review, now=now)
                return True
            settlers = settlers_chapter(proposal)
            recipients = _facilitators(settlers)
            if proposal.author is not None:
                recipients.append(proposal.author)
            title = proposal.title
            notify(recipients=recipients, kind=Kind.WEIGHT_OBJECTION,
                   message="decisions.objections_settled_above",
                   params={"title": title, "chapter": place(settlers)},
                   url=proposal.get_absolute_url() + "#affectedness")
            return True
    open_objections.update(status=WeightObjection.Status.SETTLED,
                           settlement=Settlement.UNRESOLVED, closed_at=now)
    return False


def settle_objections(*, proposal: Proposal, facilitator: Member, accept: bool,
                      groups: Sequence[GroupInput] | None = None, note: str = "",
                      now: datetime | None = None) -> Proposal:
    """A facilitator of the parent chapter settles a held vote's weights: accepts them
    as they stand, or sets the affected groups anew. Voting then opens."""
    from .affectedness import set_affected_groups
    from .opening import open_voting

    now = _now(now)
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > 2000:
        raise DecisionError(_("A note can be at most 2,000 characters long."))
    if not accept and groups is None:
        raise DecisionError(_("Set the weights, or accept them as they stand."))
    with transaction.atomic():
        proposal = _locked(proposal)
        review = WeightsReview.objects.select_for_update().filter(proposal=proposal).first()
        if proposal.status != Status.DELIBERATION or review is None or not review.pending:
            raise DecisionError(_("No weights of this proposal wait to be settled."))
        if review.by_vote:
            raise DecisionError(_("Everyone affected votes on these weights: no facilitator "
                                  "settles them."))
        settlers = settlers_chapter(proposal)
        if not _is_facilitator(facilitator, settlers):
            raise DecisionError(_("Only a facilitator of %(chapter)s can settle these weights.")
                                % {"chapter": settlers.display_name()})
        settlement = Settlement.WEIGHTS_ACCEPTED if accept else Settlement.WEIGHTS_SET
        if not accept:
            set_affected_groups(proposal=proposal, actor=facilitator, groups=groups or [],
                                settling=True)
        review.settled_at, review.settled_by = now, facilitator
        review.settlement, review.note = settlement, note
        review.save(update_fields=["settled_at", "settled_by", "settlement", "note"])
        WeightObjection.objects.filter(proposal=proposal,
                                       status=WeightObjection.Status.OPEN).update(
            status=WeightObjection.Status.SETTLED, settlement=settlement, closed_at=now,
            settled_by=facilitator, note=note)
        audit.record(actor=facilitator, action="decisions.settle_objections", target=proposal,
                     chapter=settlers, data={"settlement": settlement, "note": note})
        proposal = open_voting(proposal=proposal, now=now)
    return proposal
