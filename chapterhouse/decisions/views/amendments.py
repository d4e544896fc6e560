"""Proposing, accepting and withdrawing amendments."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chapterhouse.lib.interface import form_action, member_required, submit_form

from .. import services
from ..access import access_amendment, access_proposal
from ..forms import (
    AmendmentForm,
)
from ..models import Amendment
from .common import scope_chain


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def amend(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(
        request, public_id, "decisions.amend",
        denied=_("Only members affected by this proposal can amend it, during the amendment "
                 "period."))
    status = 200
    if request.method == "POST":
        form = AmendmentForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.propose_amendment(
                proposal=proposal, author=member_required(request),
                kind=form.cleaned_data["kind"], text=form.cleaned_data["text"],
                label=form.cleaned_data["label"],
            ),
            success=_("Your amendment is proposed."),
            then=proposal.get_absolute_url() + "#amendments")
        if done is not None:
            return done
        status = 400
    else:
        form = AmendmentForm(initial={"kind": Amendment.Kind.TEXT_CHANGE,
                                      "text": proposal.text})
    return render(request, "decisions/amend.html", {
        "proposal": proposal, "scope_chain": scope_chain(proposal.chapter), "form": form,
    }, status=status)


@login_required
@require_POST
def accept_amendment(request: HttpRequest, public_id: uuid.UUID, number: int) -> HttpResponse:
    proposal = access_proposal(request, public_id)
    amendment = access_amendment(
        request, proposal, number, "decisions.accept_amendment",
        denied=_("Only the author of the proposal can accept an open amendment, before voting "
                 "opens."))
    actor = member_required(request)
    return form_action(
        request, lambda: services.accept_amendment(amendment=amendment, actor=actor),
        success=_("Amendment %(n)s is accepted.") % {"n": number},
        then=proposal.get_absolute_url() + "#amendments")


@login_required
@require_POST
def withdraw_amendment(request: HttpRequest, public_id: uuid.UUID, number: int) -> HttpResponse:
    proposal = access_proposal(request, public_id)
    amendment = access_amendment(
        request, proposal, number, "decisions.withdraw_amendment",
        denied=_("Only the author of the amendment can withdraw it, before voting opens."))
    actor = member_required(request)
    return form_action(
        request, lambda: services.withdraw_amendment(amendment=amendment, actor=actor),
        success=_("Amendment %(n)s is withdrawn.") % {"n": number},
        then=proposal.get_absolute_url() + "#amendments")

