"""The decision record: the page, the ballot file, dissent and finding a receipt."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from chapterhouse import voting
from chapterhouse.lib.interface import member_required, submit_form, viewer_of
from chapterhouse.lib.markdown import render_markdown

from .. import presenters, selectors, services
from ..access import access_decision
from ..forms import (
    DissentForm,
    ReceiptForm,
)
from ..models import Decision, ObjectionResolution, WeightsReview
from ..presenters.objections import objection_rows
from .common import scope_chain


def record_context(request: HttpRequest, decision: Decision) -> dict[str, Any]:
    """The decision record: outcome, tally tables and chart, roll, breakdown, dissent."""
    labels = presenters.labels_of(decision.options)
    viewer = viewer_of(request).member
    dissents = list(selectors.dissents(decision))
    can_dissent = viewer_of(request).can("decisions.add_dissent", decision)
    own = next((d for d in dissents if viewer is not None and d.member_id == viewer.pk), None)
    return {
        "decision": decision,
        "labels": labels,
        "winner_labels": [labels.get(w, w) for w in decision.winners],
        "tally": presenters.tally_view(decision.result, labels),
        "breakdown": presenters.breakdown_view(decision, labels),
        "record_rule_terms": presenters.rule_terms(decision.rule),
        "record_method": presenters.method_label(str(decision.rule.get("method", ""))),
        "switched": bool(decision.rule.get("switched")),
        "effect": presenters.effect_text(decision),
        "record_text_html": render_markdown(decision.text),
        "dissents": [{"dissent": d, "html": render_markdown(d.text)} for d in dissents],
        "can_dissent": can_dissent,
        "own_dissent": own is not None,
        "dissent_form": DissentForm(initial={"text": own.text} if own else None),
        "secret": bool(decision.rule.get("secret")),
        "receipt_form": ReceiptForm(),
        "record_objections": objection_rows(decision.proposal),
        "roll_weights": _roll_weights(decision),
        "voter_share": (decision.turnout.get("voters", 0) / decision.roll["size"]
                        if decision.roll.get("size") else None),
        "weights_vote": WeightsReview.objects.filter(
            proposal=decision.proposal, resolution=ObjectionResolution.WEIGHTS_VOTE,
            settled_at__isnull=False).first(),
        "chain_head": selectors.chain_head(),
        **_meeting_context(decision),
    }


def _meeting_context(decision: Decision) -> dict[str, Any]:
    """Where, when and by whom a vote taken at a meeting was counted (services.meetings)."""
    meeting = decision.rule.get("meeting")
    if not meeting:
        return {"meeting": None}
    from chapterhouse.members.models import Member

    recorder = Member.objects.filter(public_id=meeting.get("recorded_by")).first() \
        if meeting.get("recorded_by") else None
    url = str(meeting.get("url") or "")
    return {
        "meeting": meeting,
        "meeting_held_at": datetime.fromisoformat(meeting["held_at"]),
        "meeting_recorder": recorder.display_name if recorder else "",
        # Only a link inside the site (the event's page), never one from elsewhere.
        "meeting_url": url if url.startswith("/") and not url.startswith("//") else "",
    }


def _roll_weights(decision: Decision) -> list[dict[str, Any]]:
    """The record's roll weights with each reason in the reader's language."""
    rows = list(decision.roll.get("weights", []))
    texts = presenters.reason_texts(str(row.get("reason", "")) for row in rows)
    return [{**row, "reason": texts[str(row.get("reason", ""))]} for row in rows]


def _record_response(request: HttpRequest, decision: Decision, **extra: Any) -> HttpResponse:
    proposal = decision.proposal
    context = {
        "proposal": proposal,
        "scope_chain": scope_chain(decision.chapter),
        "roll": getattr(proposal, "roll", None),
        **record_context(request, decision),
        **extra,
    }
    return render(request, "decisions/record.html", context)


@require_safe
def record(request: HttpRequest, public_id: uuid.UUID | None = None,
           sequence: int | None = None) -> HttpResponse:
    decision = access_decision(request, public_id, sequence=sequence)
    return _record_response(request, decision)


@require_safe
def ballot_file(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The published ballot file (JSON) that `python -m chapterhouse.voting recount`
    reads. No member is named in it; secret ballots carry their receipt hash."""
    decision = access_decision(request, public_id)
    data = selectors.ballot_file(decision.proposal)
    response = HttpResponse(voting.ballot_file_json(data),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="decision-{decision.sequence}-ballots.json"'
    )
    return response


@require_safe
def chain(request: HttpRequest) -> StreamingHttpResponse:
    """Every link of the record chain and of the chain of dissent (hashes only), the
    copy a member saves outside the database and later checks with
    `verify_decisions --against` (selectors.chain)."""
    head = selectors.chain_head()

    def chunks() -> Iterator[str]:
        yield json.dumps({"format": selectors.CHAIN_FORMAT, "head": head})[:-1]
        yield ', "links": ['
        for index, link in enumerate(selectors.chain_export()):
            yield ("," if index else "") + "\n" + json.dumps(link)
        yield "\n]}\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="decision-chain-{head["records"]}-{head["dissents"]}.json"')
    return response


@login_required
@require_POST
def dissent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    decision = access_decision(
        request, public_id, "decisions.add_dissent",
        denied=_("Only members who voted against this outcome can add a dissent."))
    form = DissentForm(request.POST)
    done = submit_form(
        request, form,
        lambda: services.add_dissent(decision=decision, member=member_required(request),
                                     text=form.cleaned_data["text"]),
        success=_("Your dissent is published with the record."),
        then=reverse("decisions:record", kwargs={"public_id": decision.proposal.public_id})
        + "#dissent",
        field="text")
    if done is not None:
        return done
    response = _record_response(request, decision, dissent_form=form)
    response.status_code = 400
    return response


@require_POST
def find_receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Find one's secret ballot in the published file by its receipt code. A POST, so
    the code never lands in an address, a log or the browser history."""
    decision = access_decision(request, public_id)
    form = ReceiptForm(request.POST)
    found: dict[str, Any] | None = None
    if form.is_valid():
        found = selectors.find_secret_ballot(decision.proposal, form.cleaned_data["receipt"])
        if found is not None:
            labels = presenters.labels_of(decision.options)
            found["text"] = presenters.describe_ballot(str(decision.rule.get("method", "")),
                                                       found["ballot"], labels)
            found["names"] = selectors.ballot_parts(decision, found)
        else:
            form.add_error("receipt", _("No ballot in this vote matches that receipt code."))
    response = _record_response(request, decision, receipt_form=form, found_ballot=found,
                                receipt_checked=True)
    if found is None:
        response.status_code = 400
    return response

