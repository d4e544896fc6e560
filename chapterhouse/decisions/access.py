"""Fetching proposals, amendments and decisions with permission, for the pages and the
API alike (lib.interface.access): 404 when the viewer may not see the object (a
draft is its author's alone), 403 with `denied` when they may see it but not do
`permission`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, parse_uuid, viewer_of

from . import selectors, services
from .models import Amendment, Decision, Proposal, WeightObjection


def access_proposal(request: Any, public_id: Any, permission: str | None = None, *,
                    denied: str | None = None) -> Proposal:
    """The proposal (with its chapter and author) if the viewer may see it."""
    missing = _("There is no such proposal.")
    # Visibility is the query itself (published, or the viewer's own draft).
    proposal = selectors.get_proposal_for(parse_uuid(public_id, missing),
                                          viewer_of(request).member)
    return access(request, proposal, view=None, missing=missing, permission=permission,
                  denied=denied)


def access_amendment(request: Any, proposal: Proposal, number: int,
                     permission: str | None = None, *, denied: str | None = None
                     ) -> Amendment:
    """Amendment `number` of a proposal the viewer was given by access_proposal."""
    amendment = proposal.amendments.select_related("author").filter(number=number).first()
    if amendment is not None:
        amendment.proposal = proposal
    return access(request, amendment, view=None, missing=_("There is no such amendment."),
                  permission=permission, denied=denied)


def access_decision(request: Any, public_id: Any = None, permission: str | None = None, *,
                    sequence: int | None = None, denied: str | None = None) -> Decision:
    """The decision record of a proposal (or with this number in the chain)."""
    missing = _("There is no such decision.")
    rows = Decision.objects.select_related("proposal__chapter", "proposal__author", "chapter")
    if sequence is not None:
        decision = rows.filter(sequence=sequence).first()
    else:
        decision = rows.filter(proposal__public_id=parse_uuid(public_id, missing)).first()
    return access(request, decision, view="decisions.view_decision", missing=missing,
                  permission=permission, denied=denied)


def ballot_refusal(request: Any, proposal: Proposal) -> services.DecisionError | None:
    """Whether the viewer may cast a ballot now. While voting is not open: the
    service's refusal, for the interface to show as a page message or a 400. While
    it is open: 403 unless decisions.cast_ballot allows them (they are on the roll);
    None when it does."""
    refusal = services.window_refusal(proposal=proposal)
    if refusal is not None:
        return refusal
    if not viewer_of(request).can("decisions.cast_ballot", proposal):
        raise PermissionDenied(services.NotOnRoll().message)
    return None


def access_objection(request: Any, proposal: Proposal, public_id: Any,
                     permission: str | None = None, *, denied: str | None = None
                     ) -> WeightObjection:
    """An objection to a weight of a proposal the viewer was given by access_proposal."""
    missing = _("There is no such objection.")
    objection = WeightObjection.objects.filter(
        proposal=proposal, public_id=parse_uuid(public_id, missing)).first()
    if objection is not None:
        objection.proposal = proposal
    return access(request, objection, view=None, missing=missing, permission=permission,
                  denied=denied)
