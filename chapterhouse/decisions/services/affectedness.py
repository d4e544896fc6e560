"""Who is affected, and how strongly: the groups the author names, and the
stakes members declare."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.members.models import Member

from .. import selectors
from ..models import (
    MAX_WEIGHT,
    WEIGHT_QUANTUM,
    AffectedGroup,
    Proposal,
    ProposalEvent,
    StakeDeclaration,
    WeightsReview,
)
from .common import (
    BREAKDOWN_MIN_VOTERS,
    DecisionError,
    GroupInput,
    Status,
    _belongs,
    _event,
    _locked,
    _now,
    _require_author,
    _rule_for,
)


def _check_groups_inside(proposal: Proposal) -> None:
    outside = [
        g.chapter for g in proposal.affected_groups.select_related("chapter")
        if not proposal.chapter.contains(g.chapter)
    ]
    if outside:
        raise _outside_error(proposal, outside)


def _outside_error(proposal: Proposal, outside: list[Chapter]) -> DecisionError:
    target = selectors.common_scope([proposal.chapter, *outside])
    return DecisionError(
        _("%(groups)s lie outside %(scope)s. Move the proposal up to %(target)s first, so that "
          "everyone affected decides.")
        % {
            "groups": ", ".join(c.display_name() for c in outside),
            "scope": proposal.chapter.display_name(),
            "target": target.display_name() if target else "",
        }
    )


def check_secret_weights(proposal: Proposal, *, secret: bool,
                         stake: Decimal | None = None, stake_member: Member | None = None) -> None:
    """Refuse weights that would show how some members voted in a secret vote.

    Every secret ballot carries its voter's weight into the tally and the ballot file,
    and the weights with the members they apply to are public. A weight held by fewer
    than BREAKDOWN_MIN_VOTERS members (when others vote with another weight) would
    single them out. And when, at closing, fewer than that many voters of a weight
    voted, every ballot is published in parts of one common weight (voting.secrecy):
    weights whose common step is too fine for that (the heaviest ballot more than
    voting.MAX_PARTS parts) could not be published safely. Both are refused when the
    proposal is published, when its groups are revised and when a stake is declared
    (`stake` by `stake_member`, replacing theirs), so the author can change them.
    """
    if not secret:
        return
    rows = [(row.weight, row.members) for row in selectors.affectedness(proposal)]
    unsafe = selectors.unsafe_secret_weights(rows, BREAKDOWN_MIN_VOTERS)
    if unsafe:
        raise DecisionError(
            _("This vote is secret, and a weight given to fewer than %(k)s members would "
              "show how they voted. Give the weight %(weights)s to a larger group, or the "
              "same weight to everyone.")
            % {"k": BREAKDOWN_MIN_VOTERS, "weights": ", ".join(f"{w:g}" for w in unsafe)}
        )
    stakes = proposal.stake_declarations.all()
    if stake_member is not None:
        stakes = stakes.exclude(member=stake_member)
    weights = [voting.exact(w) for w, members in rows if members] + [
        voting.exact(w) for w in stakes.values_list("weight", flat=True)]
    if stake is not None:
        weights.append(voting.exact(stake))
    parts = voting.parts_needed(weights)
    if parts > voting.MAX_PARTS:
        raise DecisionError(
            _("This vote is secret, so its ballots may be published in parts of one common "
              "weight, and with these weights the heaviest ballot would be %(parts)s parts "
              "(at most %(max)s). Use simpler weights, such as whole numbers or halves.")
            % {"parts": parts, "max": voting.MAX_PARTS}
        )


def set_affected_groups(*, proposal: Proposal, actor: Member,
                        groups: Sequence[GroupInput],
                        settling: bool = False) -> list[AffectedGroup]:
    """Replace the proposal's affected groups (author only, before voting opens).

    Each group is a chapter inside the scope (or the scope itself) with a weight from
    0 to 10 and a reason. `settling`: a facilitator settling objections to the
    weights sets them (services.settle_objections checks who they are). Groups outside
    the scope are refused, naming the chapter to move the proposal up to.
    """
    cleaned: list[tuple[Chapter, Decimal, str]] = []
    seen: set[int] = set()
    for group in groups:
        chapter, reason = group["chapter"], " ".join(str(group.get("reason", "")).split())
        weight = stated_weight(group["weight"], _("A weight is a number from 0 to 10."))
        if not 0 <= weight <= MAX_WEIGHT:
            raise DecisionError(_("A weight is a number from 0 to 10."))
        if not reason:
            raise DecisionError(_("Say why %(chapter)s is affected with this weight.")
                                % {"chapter": chapter.display_name()})
        if len(reason) > 300:
            raise DecisionError(_("A reason can be at most 300 characters long."))
        if chapter.pk in seen:
            raise DecisionError(_("%(chapter)s is listed twice.")
                                % {"chapter": chapter.display_name()})
        seen.add(chapter.pk)
        cleaned.append((chapter, weight, reason))
    with transaction.atomic():
        proposal = _locked(proposal)
        if not settling:
            _require_author(proposal, actor)
            if WeightsReview.objects.filter(proposal=proposal, settled_at__isnull=True).exists():
                raise DecisionError(_("The weights wait for the facilitators who settle the "
                                      "objections to them."))
        if proposal.status not in (Status.DRAFT, Status.DELIBERATION):
            raise DecisionError(_("Affectedness can change only before voting opens."))
        outside = [c for c, _w, _r in cleaned if not proposal.chapter.contains(c)]
        if outside:
            raise _outside_error(proposal, outside)
        proposal.affected_groups.all().delete()
        created = AffectedGroup.objects.bulk_create(
            AffectedGroup(proposal=proposal, chapter=c, weight=w, reason=r)
            for c, w, r in cleaned
        )
        _event(proposal, ProposalEvent.Kind.AFFECTEDNESS_CHANGED, actor,
               groups=[{"chapter": c.url_path, "weight": voting.to_text(w), "reason": r}
                       for c, w, r in cleaned])
        if proposal.status != Status.DRAFT:
            check_secret_weights(proposal,
                                 secret=_rule_for(proposal.chapter, proposal.category).secret)
            audit.record(actor=actor, action="decisions.set_affected_groups", target=proposal,
                         chapter=proposal.chapter,
                         data={"groups": [[c.url_path, voting.to_text(w), r]
                                          for c, w, r in cleaned]})
    return created


def stated_weight(value: object, message: str) -> Decimal:
    """A weight as stated (an int, float or Decimal), exactly, as the decimal of
    at most 6 places it is stored as. A float is read as the decimal it prints as (1.5,
    0.1). More places are refused, never rounded; anything else raises ``message``."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise DecisionError(message)
    try:
        weight = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise DecisionError(message) from None
    if not weight.is_finite() or abs(weight) > 10**6:
        raise DecisionError(message)
    if weight != weight.quantize(WEIGHT_QUANTUM):
        raise DecisionError(_("A weight can have at most 6 decimal places."))
    return weight.quantize(WEIGHT_QUANTUM)


def declare_stake(*, proposal: Proposal, member: Member, weight: float | Decimal, reason: str,
                  now: datetime | None = None) -> StakeDeclaration:
    """A member of the scope declares a stronger stake, with a public reason, where
    the rule allows it, up to its cap, before voting opens. Declaring again replaces it."""
    now = _now(now)
    reason = " ".join((reason or "").split())
    weight = stated_weight(weight, _("A declared weight is a number above 0."))
    if weight <= 0:
        raise DecisionError(_("A declared weight is a number above 0."))
    if not reason:
        raise DecisionError(_("Say publicly why you are more affected."))
    if len(reason) > 300:
        raise DecisionError(_("A reason can be at most 300 characters long."))
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Stakes can be declared only during deliberation."))
        if not _belongs(member, proposal.chapter):
            raise DecisionError(_("Only members of %(chapter)s can declare a stake.")
                                % {"chapter": proposal.chapter.display_name()})
        rule = _rule_for(proposal.chapter, proposal.category)
        if not rule.allow_self_declared_stakes:
            raise DecisionError(_("The rule for this category does not let members declare "
                                  "their own stake."))
        if weight > rule.self_declared_cap:
            raise DecisionError(_("You can declare a weight of at most %(cap)s.")
                                % {"cap": formats.number_format(rule.self_declared_cap)})
        check_secret_weights(proposal, secret=rule.secret, stake=weight, stake_member=member)
        stake, _created = StakeDeclaration.objects.update_or_create(
            proposal=proposal, member=member,
            defaults={"weight": weight, "reason": reason, "created_at": now},
        )
        _event(proposal, ProposalEvent.Kind.STAKE_DECLARED, member,
               weight=voting.to_text(weight), reason=reason)
        audit.record(actor=member, action="decisions.declare_stake", target=stake,
                     chapter=proposal.chapter,
                     data={"weight": voting.to_text(weight), "reason": reason})
    return stake


def withdraw_stake(*, proposal: Proposal, member: Member) -> None:
    """Withdraw one's stake declaration during deliberation (idempotent)."""
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Stakes can be changed only during deliberation."))
        stakes = StakeDeclaration.objects.filter(proposal=proposal, member=member)
        deleted, _detail = stakes.delete()
        if deleted:
            _event(proposal, ProposalEvent.Kind.STAKE_WITHDRAWN, member)
