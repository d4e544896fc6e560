"""Amendments: proposed by affected members, accepted by the proposal's author."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.lib import audit
from chapterhouse.members.models import Member
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from .. import selectors
from ..models import MULTI_OPTION_METHODS, Amendment, Option, Proposal, ProposalEvent
from .common import (
    MAX_OPTIONS,
    DecisionError,
    Status,
    _clean_text,
    _event,
    _locked,
    _new_version,
    _now,
    _require_author,
    _rule_for,
)


def propose_amendment(
    *,
    proposal: Proposal,
    author: Member,
    kind: str,
    text: str,
    label: str = "",
    now: datetime | None = None,
) -> Amendment:
    """An affected member proposes a changed text or an alternative option, while the
    amendment window is open."""
    now = _now(now)
    if kind not in Amendment.Kind.values:
        raise DecisionError(_("An amendment changes the text or proposes an alternative."))
    text = _clean_text(text)
    label = " ".join((label or "").split())
    if kind == Amendment.Kind.ALTERNATIVE and not label:
        raise DecisionError(_("Give the alternative a short label for the ballot."))
    if len(label) > 200:
        raise DecisionError(_("An option's label can be at most 200 characters long."))
    with transaction.atomic():
        proposal = _locked(proposal)
        if not proposal.amendments_open(now):
            raise DecisionError(_("Amendments can be proposed only during the amendment period."))
        if selectors.weight_of(proposal, author) is None:
            raise DecisionError(_("Only members affected by this proposal can amend it."))
        if kind == Amendment.Kind.TEXT_CHANGE and text == proposal.text:
            raise DecisionError(_("This text is the same as the proposal's."))
        number = (proposal.amendments.order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        amendment = Amendment.objects.create(
            proposal=proposal, number=number, author=author, kind=kind, label=label, text=text,
            created_at=now,
        )
        _event(proposal, ProposalEvent.Kind.AMENDMENT_PROPOSED, author, amendment=number,
               kind=kind)
        if proposal.author is not None and proposal.author_id != author.pk:
            title = proposal.title
            notify(
                recipients=[proposal.author], kind=Kind.AMENDMENT_PROPOSED,
                message="decisions.amendment_proposed",
                params={"name": author.display_name, "title": title},
                url=proposal.get_absolute_url(),
            )
    return amendment


def _locked_amendment(amendment: Amendment) -> tuple[Amendment, Proposal]:
    proposal = _locked(amendment.proposal)
    amendment = (
        Amendment.objects.select_for_update(of=("self",)).select_related("author")
        .get(pk=amendment.pk)
    )
    return amendment, proposal


def accept_amendment(*, amendment: Amendment, actor: Member,
                     now: datetime | None = None) -> Amendment:
    """The proposal's author accepts an open amendment before voting opens.

    A text change — or an alternative to a yes/no proposal — becomes the text: a new
    version credited to the amendment's author. An alternative to a multi-option
    proposal becomes one of its options.
    """
    now = _now(now)
    with transaction.atomic():
        amendment, proposal = _locked_amendment(amendment)
        _require_author(proposal, actor)
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Amendments can be accepted only before voting opens."))
        if amendment.status != Amendment.Status.OPEN:
            raise DecisionError(_("This amendment is no longer open."))
        rule = _rule_for(proposal.chapter, proposal.category)
        as_option = (amendment.kind == Amendment.Kind.ALTERNATIVE
                     and rule.method in MULTI_OPTION_METHODS)
        if as_option:
            position = proposal.options.count() + 1
            if position > MAX_OPTIONS:
                raise DecisionError(_("A proposal can have at most %(n)s options.")
                                    % {"n": MAX_OPTIONS})
            Option.objects.create(
                proposal=proposal, key=amendment.option_key, label=amendment.label,
                text=amendment.text, source=Option.Source.AMENDMENT, amendment=amendment,
                position=position,
            )
        else:
            proposal.text = amendment.text
            proposal.updated_at = now
            proposal.save(update_fields=["text", "updated_at"])
            _new_version(proposal, amendment.author, amendment)
        amendment.status = Amendment.Status.ACCEPTED
        amendment.decided_at = now
        amendment.save(update_fields=["status", "decided_at"])
        _event(proposal, ProposalEvent.Kind.AMENDMENT_ACCEPTED, actor, amendment=amendment.number,
               as_option=as_option)
        audit.record(actor=actor, action="decisions.accept_amendment", target=amendment,
                     chapter=proposal.chapter,
                     data={"proposal": str(proposal.public_id), "amendment": amendment.number})
        if amendment.author is not None and amendment.author_id != actor.pk:
            title = proposal.title
            notify(
                recipients=[amendment.author], kind=Kind.AMENDMENT_ACCEPTED,
                message="decisions.amendment_accepted", params={"title": title},
                url=proposal.get_absolute_url(),
            )
    return amendment


def withdraw_amendment(*, amendment: Amendment, actor: Member) -> Amendment:
    """The amendment's author withdraws it while it is open, before voting opens."""
    with transaction.atomic():
        amendment, proposal = _locked_amendment(amendment)
        if amendment.author_id is None or amendment.author_id != actor.pk:
            raise DecisionError(_("Only the author of the amendment can withdraw it."))
        if amendment.status != Amendment.Status.OPEN or proposal.status != Status.DELIBERATION:
            raise DecisionError(_("This amendment can no longer be withdrawn."))
        amendment.status = Amendment.Status.WITHDRAWN
        amendment.decided_at = timezone.now()
        amendment.save(update_fields=["status", "decided_at"])
        _event(proposal, ProposalEvent.Kind.AMENDMENT_WITHDRAWN, actor, amendment=amendment.number)
    return amendment
