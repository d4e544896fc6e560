"""Objections to a proposal's weights: object, withdraw or maintain, and the parent
chapter's facilitators settling a held vote's weights. Every form works without
JavaScript (POST, then redirect)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chapterhouse.lib.interface import form_action, member_required, submit_form

from .. import selectors, services
from ..access import access_objection, access_proposal
from ..forms import groups_formset
from ..forms.objections import ObjectionForm, SettleNoteForm
from ..models import Proposal, WeightObjection, settlers_chapter
from ..services import DecisionError
from .common import scope_chain, subchapter_suggestions

NOT_ON_ROLL = _("Members on the roll of a proposal may object to its weights during "
                "deliberation.")


def _back(proposal: Proposal) -> str:
    return f"{proposal.get_absolute_url()}#objections"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def object_to_weight(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Object to one of the weights, with a reason."""
    proposal = access_proposal(request, public_id, "decisions.object_to_weight",
                               denied=NOT_ON_ROLL)
    member = member_required(request)
    status = 200
    if request.method == "POST":
        form = ObjectionForm(request.POST, proposal=proposal)
        done = submit_form(
            request, form,
            lambda: services.object_to_weight(proposal=proposal, member=member,
                                              reason=form.cleaned_data["reason"],
                                              **form.target()),
            success=_("Your objection is published beside the weights."), then=_back(proposal))
        if done is not None:
            return done
        status = 400
    else:
        form = ObjectionForm(proposal=proposal, initial={"weight": request.GET.get("weight")})
    return render(request, "decisions/object.html", {
        "proposal": proposal, "scope_chain": scope_chain(proposal.chapter), "form": form,
    }, status=status)


@login_required
@require_POST
def withdraw_objection(request: HttpRequest, public_id: uuid.UUID,
                       objection_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(request, public_id)
    objection = access_objection(request, proposal, objection_id)
    member = member_required(request)
    return form_action(
        request, lambda: services.withdraw_objection(objection=objection, member=member),
        success=_("Your objection is withdrawn."), then=_back(proposal))


@login_required
@require_POST
def maintain_objection(request: HttpRequest, public_id: uuid.UUID,
                       objection_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(request, public_id)
    objection = access_objection(request, proposal, objection_id)
    member = member_required(request)
    return form_action(
        request, lambda: services.maintain_objection(objection=objection, member=member),
        success=_("Your objection stands."), then=_back(proposal))


@login_required
@require_POST
def vote_on_weights(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Vote to keep held weights ("keep") or make them equal ("equal")."""
    proposal = access_proposal(
        request, public_id, "decisions.vote_on_weights",
        denied=_("Only members affected by this proposal vote on its weights, while that "
                 "vote is open."))
    member = member_required(request)
    choice = request.POST.get("choice")

    def vote() -> object:
        if choice not in ("keep", "equal"):
            raise DecisionError(_("Choose to keep the weights or to make them equal."))
        return services.vote_on_weights(proposal=proposal, member=member, keep=choice == "keep")

    return form_action(
        request, vote, then=_back(proposal),
        success=_("Your vote on the weights is counted. You can change it until the vote "
                  "closes."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def settle(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A facilitator of the parent chapter accepts the held weights or sets them."""
    proposal = access_proposal(
        request, public_id, "decisions.settle_objections",
        denied=_("Only a facilitator of the parent chapter settles held weights."))
    member = member_required(request)
    scope = proposal.chapter
    note_form = SettleNoteForm(request.POST or None)
    status, error = 200, ""
    formset = groups_formset(scope, groups=list(
        proposal.affected_groups.select_related("chapter")))
    if request.method == "POST" and "accept" in request.POST:
        note = note_form.cleaned_data["note"] if note_form.is_valid() else ""
        return form_action(
            request, lambda: services.settle_objections(proposal=proposal, facilitator=member,
                                                        accept=True, note=note),
            success=_("The weights are settled; voting is open."),
            then=proposal.get_absolute_url())
    if request.method == "POST":
        formset = groups_formset(scope, request.POST)
        if formset.is_valid() and note_form.is_valid():
            try:
                services.settle_objections(proposal=proposal, facilitator=member, accept=False,
                                           groups=formset.groups(),
                                           note=note_form.cleaned_data["note"])
            except DecisionError as refusal:
                error = refusal.message
            else:
                from django.contrib import messages

                messages.success(request, _("The weights are settled; voting is open."))
                return redirect(proposal.get_absolute_url())
        status = 400
    return render(request, "decisions/settle.html", {
        "proposal": proposal, "scope_chain": scope_chain(scope), "formset": formset,
        "note_form": note_form, "error": error, "subchapters": subchapter_suggestions(scope),
        "scope": scope, "affected": selectors.affectedness(proposal),
        "objections": list(WeightObjection.objects.filter(
            proposal=proposal, status=WeightObjection.Status.OPEN)
            .select_related("member", "chapter", "stake_member")),
        "review": proposal.weights_review, "settlers": settlers_chapter(proposal),
    }, status=status)
