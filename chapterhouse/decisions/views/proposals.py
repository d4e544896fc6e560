"""The proposal page and the versions of its text."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chapterhouse.lib import pagecache
from chapterhouse.lib.interface import viewer_of
from chapterhouse.lib.markdown import render_markdown

from .. import presenters, rules, selectors
from ..access import access_proposal
from ..forms import (
    StakeForm,
)
from ..models import Decision, Proposal, ProposalVersion, WeightsReview, settlers_chapter
from ..presenters.objections import objection_rows
from .common import scope_chain
from .records import record_context
from .voting import ballot_context

Status = Proposal.Status


def _rule_terms(proposal: Proposal) -> tuple[str, list[tuple[str, str]]]:
    """The method and terms the proposal is (or will be) decided by."""
    if proposal.rule_snapshot:
        snapshot = proposal.rule_snapshot
        return str(snapshot.get("method", "")), presenters.rule_terms(snapshot)
    rule = selectors.effective_rule(proposal.chapter, proposal.category)
    if rule is None:
        return "", []
    return rule.method, presenters.rule_terms(rule.snapshot())


def _amendment_rows(request: HttpRequest, proposal: Proposal) -> list[dict[str, Any]]:
    viewer = viewer_of(request)
    rows = []
    for amendment in selectors.amendments(proposal):
        amendment.proposal = proposal
        rows.append({
            "amendment": amendment,
            "html": render_markdown(amendment.text),
            "can_accept": viewer.can("decisions.accept_amendment", amendment),
            "can_withdraw": viewer.can("decisions.withdraw_amendment", amendment),
        })
    return rows


@require_safe
@pagecache.cache_for_anonymous
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = access_proposal(request, public_id)
    viewer = viewer_of(request)
    member = viewer.member
    method, terms = _rule_terms(proposal)
    versions = list(selectors.versions(proposal))
    review = None
    if proposal.status == Status.DELIBERATION:
        # One query for the review, shown below and asked by the rules of `can`.
        review = WeightsReview.objects.filter(proposal=proposal).first()
        rules.knows_review(viewer, proposal, review)
    context: dict[str, Any] = {
        "proposal": proposal,
        "scope_chain": scope_chain(proposal.chapter),
        "text_html": render_markdown(proposal.text),
        "method": method,
        "method_label": presenters.method_label(method),
        "category_label": presenters.category_label(proposal.category),
        "yes_no": method in presenters.CHOICES,
        "rule_terms": terms,
        "payload_lines": presenters.payload_lines(proposal, proposal.category,
                                                  proposal.payload),
        "document_change": presenters.document_change(proposal),
        "versions": versions,
        "current_version": versions[-1] if versions else None,
        "options": selectors.options(proposal),
        "amendments": _amendment_rows(request, proposal),
        "affected": selectors.affectedness(proposal),
        "stakes": list(selectors.stakes(proposal)),
        "timeline": presenters.timeline(proposal),
        "can": {
            "edit": viewer.can("decisions.edit_draft", proposal),
            "publish": viewer.can("decisions.publish_proposal", proposal),
            "withdraw": viewer.can("decisions.withdraw_proposal", proposal),
            "amend": viewer.can("decisions.amend", proposal),
            "set_groups": viewer.can("decisions.set_affected_groups", proposal),
            "declare_stake": viewer.can("decisions.declare_stake", proposal),
            "move_up": viewer.can("decisions.move_up", proposal)
            and proposal.chapter.depth > 1,
            "refer_down": viewer.can("decisions.refer_down", proposal)
            and proposal.chapter.numchild > 0,
            "object": viewer.can("decisions.object_to_weight", proposal),
            "settle": viewer.can("decisions.settle_objections", proposal),
            "vote_on_weights": viewer.can("decisions.vote_on_weights", proposal),
        },
        "objections": objection_rows(proposal, viewer),
        "now": timezone.now(),
    }
    if proposal.status in (Status.DRAFT, Status.DELIBERATION) and member is not None:
        mine = selectors.weight_for(viewer, proposal)
        context["my_weight"] = (mine[0], presenters.reason_text(mine[1])) if mine else None
        context["my_stake"] = next((s for s in context["stakes"] if s.member_id == member.pk),
                                   None)
    if context["can"]["declare_stake"]:
        rule = selectors.effective_rule(proposal.chapter, proposal.category)
        cap = rule.self_declared_cap if rule is not None else None
        mine = context.get("my_stake")
        context["stake_form"] = StakeForm(
            initial={"weight": mine.weight, "reason": mine.reason} if mine else None, cap=cap)
    if proposal.status == Status.DELIBERATION:
        context["weights_review"] = review
        if review is not None:
            context["settlers"] = settlers_chapter(proposal)
        if review is not None and review.by_vote and member is not None:
            context["my_weights_vote"] = review.votes.filter(member=member).first()
            context["weights_votes"] = review.votes.count()
    if proposal.is_published:
        from chapterhouse.discussions.selectors import thread_about

        context["thread"] = thread_about(proposal, kind="deliberation")
    if proposal.status in (Status.VOTING, Status.CLOSED):
        context["roll"] = getattr(proposal, "roll", None)
    if proposal.status == Status.VOTING:
        context["ballot"] = ballot_context(request, proposal)
    if proposal.status == Status.CLOSED:
        decision = Decision.objects.filter(proposal=proposal).select_related("chapter").first()
        if decision is not None:
            decision.proposal = proposal
            context.update(record_context(request, decision))
    return render(request, "decisions/detail.html", context)


@require_safe
def versions(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Every version of the text, and the diff between two of them (?old=&new=)."""
    proposal = access_proposal(request, public_id)
    rows = list(selectors.versions(proposal))
    numbers = [v.number for v in rows]
    diff: list[presenters.DiffLine] = []
    old = new = None
    asked = [request.GET[key] for key in ("old", "new") if key in request.GET]
    if any(not (value.isascii() and value.isdigit() and len(value) <= 9) for value in asked):
        # Not a version number at all (a huge one overflowed the database's integers).
        messages.error(request, _("A version is a number, such as 1 or 2."))
        return render(request, "decisions/versions.html", {
            "proposal": proposal, "scope_chain": scope_chain(proposal.chapter),
            "versions": rows, "old": None, "new": None, "diff": [],
        }, status=400)
    if len(rows) >= 2:
        try:
            new = int(request.GET.get("new", numbers[-1]))
            old = int(request.GET.get("old", numbers[numbers.index(new) - 1]
                                      if new in numbers and numbers.index(new) > 0
                                      else numbers[0]))
            diff = presenters.diff_lines(selectors.version_diff(proposal, old, new))
        except (ValueError, ProposalVersion.DoesNotExist):
            raise Http404(_("There is no such version.")) from None
    return render(request, "decisions/versions.html", {
        "proposal": proposal, "scope_chain": scope_chain(proposal.chapter),
        "versions": rows, "old": old, "new": new, "diff": diff,
    })

