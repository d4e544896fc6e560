"""Writing a proposal: the draft form (new and edit), its suggestions, publishing and
withdrawing."""

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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.navigation import section_context
from chapterhouse.lib.interface import form_action, member_required, require, viewer_of

from .. import presenters, selectors, services
from ..access import access_proposal
from ..forms import (
    ProposalForm,
    groups_formset,
)
from ..models import MULTI_OPTION_METHODS, Proposal
from ..services import DecisionError
from .common import scope_chain, subchapter_suggestions


def _draft_form_response(request: HttpRequest, scope: Chapter, form: ProposalForm,
                         formset: Any, proposal: Proposal | None, status: int = 200
                         ) -> HttpResponse:
    rules = selectors.effective_rules(scope)
    context = {
        "scope": scope,
        "scope_chain": scope_chain(scope),
        "form": form,
        "formset": formset,
        "proposal": proposal,
        "categories": [
            {"category": c, "multi": r.method in MULTI_OPTION_METHODS,
             "method": presenters.method_label(r.method)}
            for c, r in rules.items()
        ],
        "subchapters": subchapter_suggestions(scope),
    }
    return render(request, "decisions/draft_form.html", context, status=status)


def _save_draft(request: HttpRequest, form: ProposalForm, formset: Any, *,
                scope: Chapter | None = None, proposal: Proposal | None = None
                ) -> Proposal | None:
    """The draft form's one service (save_draft: the draft, its affected groups and,
    when asked, publishing, all or nothing); its refusal becomes a form error."""
    data = form.cleaned_data
    try:
        return services.save_draft(
            chapter=scope, proposal=proposal, author=member_required(request),
            title=data["title"], text=data["text"], category=data["category"],
            options=form.options, payload=form.payload, groups=formset.groups(),
            publish="publish" in request.POST,
        )
    except DecisionError as error:
        form.add_error(None, error.message)
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest, url_path: str) -> HttpResponse:
    """A new proposal in the chapter: a private draft until its author publishes it."""
    scope = section_context(request, url_path, "decisions")["chapter"]
    require(request, "decisions.create_proposal", scope,
            _("Only members of %(chapter)s can make a proposal here.")
            % {"chapter": scope.display_name()})
    viewer = viewer_of(request).member
    if request.method != "POST":
        form = ProposalForm(initial=ProposalForm.initial_from_query(request.GET, scope),
                            chapter=scope, viewer=viewer)
        return _draft_form_response(request, scope, form, groups_formset(scope), None)
    form = ProposalForm(request.POST, chapter=scope, viewer=viewer)
    formset = groups_formset(scope, request.POST)
    if form.is_valid() and formset.is_valid():
        proposal = _save_draft(request, form, formset, scope=scope)
        if proposal is not None:
            messages.success(request, _("Your proposal is published: deliberation begins.")
                             if proposal.is_published else
                             _("Your draft is saved. Only you can see it until you publish it."))
            return redirect(proposal.get_absolute_url())
    return _draft_form_response(request, scope, form, formset, None, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(
        request, public_id, "decisions.edit_draft",
        denied=_("Only the author can edit a draft; a published proposal changes by "
                 "amendments."))
    scope = proposal.chapter
    viewer = viewer_of(request).member
    if request.method != "POST":
        form = ProposalForm(initial=ProposalForm.initial_for(proposal), chapter=scope,
                            viewer=viewer)
        formset = groups_formset(scope, groups=list(
            proposal.affected_groups.select_related("chapter")))
        return _draft_form_response(request, scope, form, formset, proposal)
    form = ProposalForm(request.POST, chapter=scope, viewer=viewer)
    formset = groups_formset(scope, request.POST)
    if form.is_valid() and formset.is_valid():
        saved = _save_draft(request, form, formset, proposal=proposal)
        if saved is not None:
            messages.success(request, _("Your proposal is published: deliberation begins.")
                             if saved.is_published else _("Your draft is saved."))
            return redirect(saved.get_absolute_url())
    return _draft_form_response(request, scope, form, formset, proposal, status=400)


@login_required
@require_POST
def publish(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(request, public_id, "decisions.publish_proposal",
                               denied=_("Only the author can publish a draft."))
    actor = member_required(request)
    return form_action(request, lambda: services.publish(proposal=proposal, actor=actor),
                       success=_("Your proposal is published: deliberation begins."),
                       then=proposal.get_absolute_url())


@login_required
@require_POST
def withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(
        request, public_id, "decisions.withdraw_proposal",
        denied=_("Only the author can withdraw a proposal, before voting opens."))
    actor = member_required(request)
    return form_action(request, lambda: services.withdraw_proposal(proposal=proposal, actor=actor),
                       success=_("The proposal is withdrawn."), then=proposal.get_absolute_url())
