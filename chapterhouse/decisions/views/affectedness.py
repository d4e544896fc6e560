"""Who is affected: the author's groups, and a member's own declared stake."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chapterhouse.lib.interface import form_action, member_required, submit_form

from .. import selectors, services
from ..access import access_proposal
from ..forms import (
    StakeForm,
    groups_formset,
)
from ..services import DecisionError
from .common import scope_chain, subchapter_suggestions


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def affected(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The author sets the affected groups (weights with reasons) before voting opens."""
    proposal = access_proposal(
        request, public_id, "decisions.set_affected_groups",
        denied=_("Only the author can change who is affected, before voting opens."))
    scope = proposal.chapter
    status = 200
    error = ""
    if request.method == "POST":
        formset = groups_formset(scope, request.POST)
        if formset.is_valid():
            try:
                services.set_affected_groups(proposal=proposal, actor=member_required(request),
                                             groups=formset.groups())
            except DecisionError as refusal:
                error = refusal.message
            else:
                messages.success(request, _("The affected groups are saved."))
                return redirect(proposal.get_absolute_url() + "#affectedness")
        status = 400
    else:
        formset = groups_formset(scope, groups=list(
            proposal.affected_groups.select_related("chapter")))
    return render(request, "decisions/affected.html", {
        "proposal": proposal, "scope_chain": scope_chain(scope), "formset": formset,
        "error": error, "subchapters": subchapter_suggestions(scope), "scope": scope,
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stake(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Declare (or withdraw) one's own stronger stake, with a public reason."""
    proposal = access_proposal(
        request, public_id, "decisions.declare_stake",
        denied=_("Members of the scope may declare a stake during deliberation, where the rule "
                 "allows it."))
    viewer = member_required(request)
    rule = selectors.effective_rule(proposal.chapter, proposal.category)
    cap = rule.self_declared_cap if rule is not None else None
    status = 200
    if request.method == "POST" and "withdraw" in request.POST:
        return form_action(
            request, lambda: services.withdraw_stake(proposal=proposal, member=viewer),
            success=_("Your declared stake is withdrawn."),
            then=proposal.get_absolute_url() + "#affectedness")
    if request.method == "POST":
        form = StakeForm(request.POST, cap=cap)
        done = submit_form(
            request, form,
            lambda: services.declare_stake(proposal=proposal, member=viewer,
                                           weight=form.cleaned_data["weight"],
                                           reason=form.cleaned_data["reason"]),
            success=_("Your stake is declared."),
            then=proposal.get_absolute_url() + "#affectedness")
        if done is not None:
            return done
        status = 400
    else:
        form = StakeForm(cap=cap)
    return render(request, "decisions/stake.html", {
        "proposal": proposal, "scope_chain": scope_chain(proposal.chapter), "form": form,
    }, status=status)

