"""The ballot: shown on the proposal page and on its own page, cast by POST."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chapterhouse.lib.interface import is_htmx, member_required, viewer_of

from .. import presenters, selectors, services
from ..access import access_proposal, ballot_refusal
from ..forms import (
    BallotForm,
)
from ..models import Proposal
from ..services import DecisionError
from .common import scope_chain

Status = Proposal.Status


def ballot_context(request: HttpRequest, proposal: Proposal, *, form: BallotForm | None = None,
                   receipt: str | None = None) -> dict[str, Any]:
    """What the ballot panel shows: the form, "you voted", the receipt once."""
    viewer = viewer_of(request).member
    now = timezone.now()
    context: dict[str, Any] = {
        "proposal": proposal,
        "voting_open": proposal.voting_open(now),
        "receipt": receipt,
        "receipt_hash": selectors.receipt_hash(receipt) if receipt else "",
    }
    if proposal.status != Status.VOTING or viewer is None:
        return context
    entry = selectors.weight_for(viewer_of(request), proposal)
    context["on_roll"] = entry is not None
    context["my_weight"] = (entry[0], presenters.reason_text(entry[1])) if entry else None
    if entry is None:
        return context
    options = selectors.options(proposal)
    keys = list((proposal.rule_snapshot or {}).get("options", []))
    labels = presenters.labels_of(options)
    method = str((proposal.rule_snapshot or {}).get("method", ""))
    voted = selectors.has_voted(proposal, viewer)
    own = selectors.own_ballot(proposal, viewer)
    context.update(
        voted=voted,
        own_ballot=presenters.describe_ballot(method, own, labels) if own is not None else "",
        can_vote=viewer_of(request).can("decisions.cast_ballot", proposal),
        form=form or BallotForm(
            initial=BallotForm.initial_for(method, own), method=method,
            options=[(k, labels.get(k, k)) for k in keys],
            needs_receipt=proposal.is_secret and voted,
        ),
        method=method,
    )
    return context


def _ballot_response(request: HttpRequest, proposal: Proposal, context: dict[str, Any],
                     status: int = 200) -> HttpResponse:
    """The ballot page, or for htmx its panel. A refused ballot is a 400 for a plain
    form post, but its panel goes to htmx as a 200: htmx swaps only 2xx answers by
    default, and a refusal must show next to the ballot whatever the page's scripts."""
    context["scope_chain"] = scope_chain(proposal.chapter)
    if is_htmx(request):
        return render(request, "decisions/_ballot.html", {"ballot": context, **context})
    return render(request, "decisions/vote.html", {"ballot": context, **context},
                  status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def vote(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The ballot: GET shows it, POST casts (or changes) it. A secret ballot's receipt
    is shown once, in the answer to the POST, and kept nowhere."""
    proposal = access_proposal(request, public_id)
    viewer = member_required(request)
    refusal = ballot_refusal(request, proposal)  # 403 when not on the roll
    if refusal is not None:
        # Voting is not open: the page is the proposal's, and a ballot sent anyway
        # hears why from the service.
        if request.method == "POST" and is_htmx(request):
            context = ballot_context(request, proposal)
            context["error"] = refusal.message
            return _ballot_response(request, proposal, context)
        if request.method == "POST":
            messages.error(request, refusal.message)
        return redirect(proposal.get_absolute_url())
    if request.method != "POST":
        return _ballot_response(request, proposal, ballot_context(request, proposal))
    context = ballot_context(request, proposal)
    form = BallotForm(request.POST, method=context["method"],
                      options=context["form"].options,
                      needs_receipt=context["form"].fields.get("receipt") is not None)
    if form.is_valid():
        try:
            result = services.cast_ballot(proposal=proposal, member=viewer,
                                          ballot=form.ballot(),
                                          receipt=form.cleaned_data.get("receipt"))
        except DecisionError as error:
            form.add_error(None, error.message)
        else:
            if result.receipt:
                context = ballot_context(request, proposal, receipt=result.receipt)
                return _ballot_response(request, proposal, context)
            message = _("Your ballot is changed.") if result.changed else \
                _("Your ballot is cast. You can change it until voting closes.")
            if is_htmx(request):
                context = ballot_context(request, proposal)
                context["message"] = message
                return _ballot_response(request, proposal, context)
            messages.success(request, message)
            return redirect(proposal.get_absolute_url() + "#ballot")
    context["form"] = form
    return _ballot_response(request, proposal, context, status=400)

