"""The decision pages: the log of all decisions, each chapter's proposals, the
proposal page (text, amendments, affectedness, deliberation, ballot), the decision
record, and the forms that move a proposal along.

Interfaces only: parse, authorise (`has_perm` with the decisions.* rules: 404 when
the proposal is not visible, 403 when visible but not allowed), call a service,
render. A refusal from a service (DecisionError) becomes a form error and nothing
is stored. Every form works without JavaScript; htmx swaps the ballot panel and the
log's results in place.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse import voting
from chapterhouse.chapters import selectors as chapter_selectors
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.views import section_context
from chapterhouse.lib.interface import viewer_of
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.rules import member_of

from . import presenters, selectors, services
from .forms import (
    AmendmentForm,
    BallotForm,
    DecisionFilterForm,
    DissentForm,
    MoveUpForm,
    ProposalForm,
    ReceiptForm,
    ReferDownForm,
    StakeForm,
    groups_formset,
)
from .models import Amendment, Decision, Proposal, ProposalVersion
from .services import DecisionError, GroupInput

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

Status = Proposal.Status
DECISIONS_PER_PAGE = 50
LOG_PER_PAGE = 20
STAGE_PER_PAGE = 50
# The rules card of a chapter's decisions page is cached this long; a rule changed by a
# decision shows at once (selectors.rules_version), the lifetime only bounds the rest.
RULES_CACHE_SECONDS = 600
SUBCHAPTER_SUGGESTIONS = 200
EXPORT_CHUNK = 2000


def _viewer(request: HttpRequest) -> Member | None:
    return member_of(request.user)


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# -- Fetching with permission --------------------------------------------------------------


def _parse_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404(_("There is no such proposal.")) from None


def _proposal_or_404(request: HttpRequest, public_id: Any) -> Proposal:
    """The proposal if the viewer may see it (a draft: its author only), else 404."""
    viewer = _viewer(request)
    proposal = selectors.get_proposal_for(_parse_uuid(public_id), viewer)
    if proposal is None:
        raise Http404(_("There is no such proposal."))
    return proposal


def _decision_or_404(request: HttpRequest, public_id: Any = None,
                     sequence: int | None = None) -> Decision:
    rows = Decision.objects.select_related("proposal__chapter", "proposal__author", "chapter")
    if sequence is not None:
        decision = rows.filter(sequence=sequence).first()
    else:
        decision = rows.filter(proposal__public_id=_parse_uuid(public_id)).first()
    if decision is None or not viewer_of(request).can("decisions.view_decision", decision):
        raise Http404(_("There is no such decision."))
    return decision


def _require(request: HttpRequest, permission: str, obj: Any, message: str) -> None:
    if not viewer_of(request).can(permission, obj):
        raise PermissionDenied(message)


def _member_or_403(request: HttpRequest) -> Member:
    viewer = _viewer(request)
    if viewer is None:
        raise PermissionDenied(_("Only members can do this."))
    return viewer


def _act(request: HttpRequest, proposal: Proposal, action: Callable[[], object],
         success: str, anchor: str = "") -> HttpResponse:
    """Run one service for a button on the proposal page; its refusal or its
    success becomes a message, and the member goes back to the proposal."""
    try:
        action()
    except DecisionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(proposal.get_absolute_url() + anchor)


# -- Chapter context (header, breadcrumb, navigation: chapters.views.section_context) -----


def _scope_chain(chapter: Chapter) -> list[Chapter]:
    """The scope with its ancestors, root first (one query), for the crumbs."""
    return list(Chapter.objects.filter(path__in=chapter.ancestor_paths()).order_by("depth"))


# -- All decisions -------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> DecisionFilterForm:
    categories = list(
        Decision.objects.order_by().values_list("category", flat=True).distinct()[:100]
    )
    return DecisionFilterForm(request.GET or None, categories=categories)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every decision, newest first, filtered by chapter, category, outcome and date."""
    form = _filter_form(request)
    filters = form.filters() if form.is_bound else {}
    rows = selectors.decisions(**filters) if not form.is_bound or form.is_valid() \
        else Decision.objects.none()
    page = Paginator(rows, DECISIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "query": query.urlencode(),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "decisions/_decision_rows.html" if _htmx(request) else "decisions/index.html"
    return render(request, template, context, status=status)


EXPORT_FIELDS = (
    "sequence", "decided_at", "scope", "chapter", "category", "title", "outcome", "winners",
    "method", "secret", "voters", "turnout_weight", "eligible_weight", "turnout_share",
    "roll_hash", "record_hash", "previous_hash", "url",
)


def _export_rows(request: HttpRequest, form: DecisionFilterForm) -> Iterator[dict[str, Any]]:
    """The filtered decisions as flat rows, streamed in chunks (no instance per row
    kept: values() with the JSON columns needed)."""
    rows = selectors.decisions(**form.filters()).values_list(
        "sequence", "decided_at", "scope_path", "chapter__name", "category", "title", "outcome",
        "winners", "options", "rule", "turnout", "roll", "record_hash", "previous_hash",
        "proposal__public_id",
    )
    base = request.build_absolute_uri("/")[:-1]
    for (sequence, decided_at, scope, chapter_name, category, title, outcome, winners, options,
         rule, turnout, roll, record_hash, previous_hash, public_id) in rows.iterator(
            chunk_size=EXPORT_CHUNK):
        labels = {o["key"]: o["label"] for o in options or []}
        yield {
            "sequence": sequence,
            "decided_at": decided_at.isoformat(),
            "scope": scope,
            "chapter": chapter_name,
            "category": category,
            "title": title,
            "outcome": outcome,
            "winners": [labels.get(w, w) for w in winners or []],
            "method": (rule or {}).get("method", ""),
            "secret": bool((rule or {}).get("secret")),
            "voters": (turnout or {}).get("voters", 0),
            "turnout_weight": (turnout or {}).get("turnout_weight", 0.0),
            "eligible_weight": (turnout or {}).get("eligible_weight", 0.0),
            "turnout_share": (turnout or {}).get("share", 0.0),
            "roll_hash": (roll or {}).get("hash", ""),
            "record_hash": record_hash,
            "previous_hash": previous_hash,
            "url": base + reverse("decisions:record", kwargs={"public_id": public_id}),
        }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any) -> Any:
    """Cells as text; a leading =, +, - or @ is quoted so spreadsheets do not run it."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The filtered decision log as CSV or JSON (the same filters as the page)."""
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            json.dumps({"errors": form.errors.get_json_data()}, ensure_ascii=False),
            status=400, content_type="application/json",
        )
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(EXPORT_FIELDS)
            for row in _export_rows(request, form):
                yield writer.writerow([_csv_cell(row[name]) for name in EXPORT_FIELDS])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="decisions-{stamp}.csv"'
        return response

    def chunks() -> Iterator[str]:
        yield "["
        for index, row in enumerate(_export_rows(request, form)):
            yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="decisions-{stamp}.json"'
    return response


# -- A chapter's decisions -----------------------------------------------------------------


@require_safe
def chapter(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's proposals by stage (each stage's first few; ?stage= lists one in
    full) and its decision log."""
    context = section_context(request, url_path, "decisions")
    scope: Chapter = context["chapter"]
    viewer = _viewer(request)
    context["can_propose"] = viewer_of(request).can("decisions.create_proposal", scope)
    stage = request.GET.get("stage", "")
    if stage in {s for s, _label in presenters.STAGES} and stage != Status.CLOSED:
        if stage == Status.DRAFT and viewer is None:
            raise Http404(_("Only members have drafts."))
        page = Paginator(presenters.stage_queryset(scope, viewer, stage), STAGE_PER_PAGE) \
            .get_page(request.GET.get("page"))
        context.update(stage=stage, stage_label=presenters.stage_label(stage), page_obj=page,
                       voted=presenters.voted_ids(list(page.object_list), viewer))
        return render(request, "decisions/chapter_stage.html", context)
    stages = presenters.board(scope, viewer)
    voting_rows = [p for s in stages if s.status == Status.VOTING for p in s.proposals]
    log = Paginator(selectors.decisions(chapter=scope), LOG_PER_PAGE) \
        .get_page(request.GET.get("page"))
    context.update(
        stages=stages,
        voted=presenters.voted_ids(voting_rows, viewer),
        log=log,
        # The card is served from the cache (decisions/chapter.html): worked out only
        # when it renders afresh.
        rules=SimpleLazyObject(lambda: presenters.rules_in_force(scope)),
        rules_cache={"seconds": RULES_CACHE_SECONDS, "version": selectors.rules_version()},
    )
    return render(request, "decisions/chapter.html", context)


# -- Drafts --------------------------------------------------------------------------------


def _subchapter_suggestions(scope: Chapter) -> list[Chapter]:
    return list(
        Chapter.objects.filter(path__startswith=scope.path)
        .order_by("depth", "-member_count", "name")[:SUBCHAPTER_SUGGESTIONS]
    )


@login_required
@require_safe
def subchapter_search(request: HttpRequest, url_path: str) -> HttpResponse:
    """<option>s for the affected-group chapter field (htmx refreshes the datalist)."""
    scope = Chapter.objects.filter(url_path=url_path).first()
    if scope is None:
        raise Http404(_("There is no such chapter."))
    query = request.GET.get("q", "").strip()[:80]
    rows = Chapter.objects.filter(path__startswith=scope.path)
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(url_path__icontains=query.lower()))
    chapters = list(rows.order_by("depth", "-member_count", "name")[:50])
    return render(request, "decisions/_subchapter_options.html", {"chapters": chapters})


@login_required
@require_safe
def member_search(request: HttpRequest, url_path: str) -> HttpResponse:
    """<option>s for the role change's member field: members of the chapter by name,
    as its members page lists them (hidden and unlisted profiles are not suggested)."""
    scope = Chapter.objects.filter(url_path=url_path).first()
    if scope is None:
        raise Http404(_("There is no such chapter."))
    query = request.GET.get("q", "").strip()[:80]
    rows: Any = []
    if len(query) >= 2:
        rows = chapter_selectors.members_listed_for(scope, _viewer(request)).filter(
            display_name__icontains=query)[:20]
    return render(request, "decisions/_member_options.html", {"members": rows})


def _groups_changed(proposal: Proposal, groups: list[GroupInput]) -> bool:
    current = {
        (g.chapter_id, float(g.weight), g.reason) for g in proposal.affected_groups.all()
    }
    wanted = {(g["chapter"].pk, float(g["weight"]), " ".join(g["reason"].split()))
              for g in groups}
    return current != wanted


def _draft_form_response(request: HttpRequest, scope: Chapter, form: ProposalForm,
                         formset: Any, proposal: Proposal | None, status: int = 200
                         ) -> HttpResponse:
    rules = selectors.effective_rules(scope)
    context = {
        "scope": scope,
        "scope_chain": _scope_chain(scope),
        "form": form,
        "formset": formset,
        "proposal": proposal,
        "categories": [
            {"category": c, "multi": r.method in presenters.MULTI_OPTION_METHODS,
             "method": presenters.method_label(r.method)}
            for c, r in rules.items()
        ],
        "subchapters": _subchapter_suggestions(scope),
    }
    return render(request, "decisions/draft_form.html", context, status=status)


def _save_draft(request: HttpRequest, scope: Chapter, form: ProposalForm, formset: Any,
                proposal: Proposal | None) -> Proposal | None:
    """Create or update the draft and its affected groups (and publish it when asked),
    all or nothing: a refusal rolls everything back and becomes a form error."""
    viewer = _member_or_403(request)
    data = form.cleaned_data
    groups = formset.groups()
    try:
        with transaction.atomic():
            if proposal is None:
                proposal = services.create_draft(
                    chapter=scope, author=viewer, title=data["title"], text=data["text"],
                    category=data["category"], options=form.options, payload=form.payload,
                )
                if groups:
                    services.set_affected_groups(proposal=proposal, actor=viewer,
                                                 groups=groups)
            else:
                proposal = services.update_draft(
                    proposal=proposal, actor=viewer, title=data["title"], text=data["text"],
                    category=data["category"], options=form.options, payload=form.payload,
                )
                if _groups_changed(proposal, groups):
                    services.set_affected_groups(proposal=proposal, actor=viewer,
                                                 groups=groups)
            if "publish" in request.POST:
                proposal = services.publish(proposal=proposal, actor=viewer)
    except DecisionError as error:
        form.add_error(None, error.message)
        return None
    return proposal


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest, url_path: str) -> HttpResponse:
    """A new proposal in the chapter: a private draft until its author publishes it."""
    scope = section_context(request, url_path, "decisions")["chapter"]
    _require(request, "decisions.create_proposal", scope,
             _("Only members of %(chapter)s can make a proposal here.")
             % {"chapter": scope.display_name()})
    viewer = _viewer(request)
    if request.method != "POST":
        return _draft_form_response(request, scope, ProposalForm(chapter=scope, viewer=viewer),
                                    groups_formset(scope), None)
    form = ProposalForm(request.POST, chapter=scope, viewer=viewer)
    formset = groups_formset(scope, request.POST)
    if form.is_valid() and formset.is_valid():
        proposal = _save_draft(request, scope, form, formset, None)
        if proposal is not None:
            messages.success(request, _("Your proposal is published: deliberation begins.")
                             if proposal.is_published else
                             _("Your draft is saved. Only you can see it until you publish it."))
            return redirect(proposal.get_absolute_url())
    return _draft_form_response(request, scope, form, formset, None, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.edit_draft", proposal,
             _("Only the author can edit a draft; a published proposal changes by amendments."))
    scope = proposal.chapter
    if request.method != "POST":
        form = ProposalForm(initial=ProposalForm.initial_for(proposal), chapter=scope,
                            viewer=_viewer(request))
        formset = groups_formset(scope, groups=list(
            proposal.affected_groups.select_related("chapter")))
        return _draft_form_response(request, scope, form, formset, proposal)
    form = ProposalForm(request.POST, chapter=scope, viewer=_viewer(request))
    formset = groups_formset(scope, request.POST)
    if form.is_valid() and formset.is_valid():
        saved = _save_draft(request, scope, form, formset, proposal)
        if saved is not None:
            messages.success(request, _("Your proposal is published: deliberation begins.")
                             if saved.is_published else _("Your draft is saved."))
            return redirect(saved.get_absolute_url())
    return _draft_form_response(request, scope, form, formset, proposal, status=400)


@login_required
@require_POST
def publish(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.publish_proposal", proposal,
             _("Only the author can publish a draft."))
    actor = _member_or_403(request)
    return _act(request, proposal,
                lambda: services.publish(proposal=proposal, actor=actor),
                _("Your proposal is published: deliberation begins."))


@login_required
@require_POST
def withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.withdraw_proposal", proposal,
             _("Only the author can withdraw a proposal, before voting opens."))
    actor = _member_or_403(request)
    return _act(request, proposal,
                lambda: services.withdraw_proposal(proposal=proposal, actor=actor),
                _("The proposal is withdrawn."))


# -- The proposal page ---------------------------------------------------------------------


def _rule_terms(proposal: Proposal) -> tuple[str, list[tuple[str, str]]]:
    """The method and terms the proposal is (or will be) decided by."""
    if proposal.rule_snapshot:
        snapshot = proposal.rule_snapshot
        return str(snapshot.get("method", "")), presenters.rule_terms(snapshot)
    rule = selectors.effective_rule(proposal.chapter, proposal.category)
    if rule is None:
        return "", []
    return rule.method, presenters.rule_terms(rule.snapshot())


def ballot_context(request: HttpRequest, proposal: Proposal, *, form: BallotForm | None = None,
                   receipt: str | None = None) -> dict[str, Any]:
    """What the ballot panel shows: the form, "you voted", the receipt once."""
    viewer = _viewer(request)
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
    context["my_weight"] = entry
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


def _amendment_rows(request: HttpRequest, proposal: Proposal) -> list[dict[str, Any]]:
    rows = []
    for amendment in selectors.amendments(proposal):
        amendment.proposal = proposal
        rows.append({
            "amendment": amendment,
            "html": render_markdown(amendment.text),
            "can_accept": viewer_of(request).can("decisions.accept_amendment", amendment),
            "can_withdraw": viewer_of(request).can("decisions.withdraw_amendment", amendment),
        })
    return rows


def record_context(request: HttpRequest, decision: Decision) -> dict[str, Any]:
    """The decision record: outcome, tally tables and chart, roll, breakdown, dissent."""
    labels = presenters.labels_of(decision.options)
    viewer = _viewer(request)
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
    }


@require_safe
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    viewer = _viewer(request)
    user = viewer_of(request)
    method, terms = _rule_terms(proposal)
    versions = list(selectors.versions(proposal))
    context: dict[str, Any] = {
        "proposal": proposal,
        "scope_chain": _scope_chain(proposal.chapter),
        "text_html": render_markdown(proposal.text),
        "method": method,
        "method_label": presenters.method_label(method),
        "category_label": presenters.category_label(proposal.category),
        "yes_no": method in presenters.CHOICES,
        "rule_terms": terms,
        "payload_lines": presenters.payload_lines(proposal, proposal.category,
                                                  proposal.payload),
        "versions": versions,
        "current_version": versions[-1] if versions else None,
        "options": selectors.options(proposal),
        "amendments": _amendment_rows(request, proposal),
        "affected": selectors.affectedness(proposal),
        "stakes": list(selectors.stakes(proposal)),
        "timeline": presenters.timeline(proposal),
        "can": {
            "edit": user.can("decisions.edit_draft", proposal),
            "publish": user.can("decisions.publish_proposal", proposal),
            "withdraw": user.can("decisions.withdraw_proposal", proposal),
            "amend": user.can("decisions.amend", proposal),
            "set_groups": user.can("decisions.set_affected_groups", proposal),
            "declare_stake": user.can("decisions.declare_stake", proposal),
            "move_up": user.can("decisions.move_up", proposal)
            and proposal.chapter.depth > 1,
            "refer_down": user.can("decisions.refer_down", proposal)
            and proposal.chapter.numchild > 0,
        },
        "now": timezone.now(),
    }
    if proposal.status in (Status.DRAFT, Status.DELIBERATION) and viewer is not None:
        context["my_weight"] = selectors.weight_for(user, proposal)
        context["my_stake"] = next((s for s in context["stakes"] if s.member_id == viewer.pk),
                                   None)
    if context["can"]["declare_stake"]:
        rule = selectors.effective_rule(proposal.chapter, proposal.category)
        cap = rule.self_declared_cap if rule is not None else None
        mine = context.get("my_stake")
        context["stake_form"] = StakeForm(
            initial={"weight": mine.weight, "reason": mine.reason} if mine else None, cap=cap)
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
    proposal = _proposal_or_404(request, public_id)
    rows = list(selectors.versions(proposal))
    numbers = [v.number for v in rows]
    diff: list[presenters.DiffLine] = []
    old = new = None
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
        "proposal": proposal, "scope_chain": _scope_chain(proposal.chapter),
        "versions": rows, "old": old, "new": new, "diff": diff,
    })


# -- Amendments ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def amend(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.amend", proposal,
             _("Only members affected by this proposal can amend it, during the amendment "
               "period."))
    status = 200
    if request.method == "POST":
        form = AmendmentForm(request.POST)
        if form.is_valid():
            try:
                services.propose_amendment(
                    proposal=proposal, author=_member_or_403(request),
                    kind=form.cleaned_data["kind"], text=form.cleaned_data["text"],
                    label=form.cleaned_data["label"],
                )
            except DecisionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your amendment is proposed."))
                return redirect(proposal.get_absolute_url() + "#amendments")
        status = 400
    else:
        form = AmendmentForm(initial={"kind": Amendment.Kind.TEXT_CHANGE,
                                      "text": proposal.text})
    return render(request, "decisions/amend.html", {
        "proposal": proposal, "scope_chain": _scope_chain(proposal.chapter), "form": form,
    }, status=status)


def _amendment_or_404(proposal: Proposal, number: int) -> Amendment:
    amendment = proposal.amendments.select_related("author").filter(number=number).first()
    if amendment is None:
        raise Http404(_("There is no such amendment."))
    amendment.proposal = proposal
    return amendment


@login_required
@require_POST
def accept_amendment(request: HttpRequest, public_id: uuid.UUID, number: int) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    amendment = _amendment_or_404(proposal, number)
    _require(request, "decisions.accept_amendment", amendment,
             _("Only the author of the proposal can accept an open amendment, before voting "
               "opens."))
    actor = _member_or_403(request)
    return _act(request, proposal,
                lambda: services.accept_amendment(amendment=amendment, actor=actor),
                _("Amendment %(n)s is accepted.") % {"n": number}, anchor="#amendments")


@login_required
@require_POST
def withdraw_amendment(request: HttpRequest, public_id: uuid.UUID, number: int) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    amendment = _amendment_or_404(proposal, number)
    _require(request, "decisions.withdraw_amendment", amendment,
             _("Only the author of the amendment can withdraw it, before voting opens."))
    actor = _member_or_403(request)
    return _act(request, proposal,
                lambda: services.withdraw_amendment(amendment=amendment, actor=actor),
                _("Amendment %(n)s is withdrawn.") % {"n": number}, anchor="#amendments")


# -- Affectedness --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def affected(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The author sets the affected groups (weights with reasons) before voting opens."""
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.set_affected_groups", proposal,
             _("Only the author can change who is affected, before voting opens."))
    scope = proposal.chapter
    status = 200
    error = ""
    if request.method == "POST":
        formset = groups_formset(scope, request.POST)
        if formset.is_valid():
            try:
                services.set_affected_groups(proposal=proposal, actor=_member_or_403(request),
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
        "proposal": proposal, "scope_chain": _scope_chain(scope), "formset": formset,
        "error": error, "subchapters": _subchapter_suggestions(scope), "scope": scope,
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stake(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Declare (or withdraw) one's own stronger stake, with a public reason."""
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.declare_stake", proposal,
             _("Members of the scope may declare a stake during deliberation, where the rule "
               "allows it."))
    viewer = _member_or_403(request)
    rule = selectors.effective_rule(proposal.chapter, proposal.category)
    cap = rule.self_declared_cap if rule is not None else None
    status = 200
    if request.method == "POST" and "withdraw" in request.POST:
        return _act(request, proposal,
                    lambda: services.withdraw_stake(proposal=proposal, member=viewer),
                    _("Your declared stake is withdrawn."), anchor="#affectedness")
    if request.method == "POST":
        form = StakeForm(request.POST, cap=cap)
        if form.is_valid():
            try:
                services.declare_stake(proposal=proposal, member=viewer,
                                       weight=form.cleaned_data["weight"],
                                       reason=form.cleaned_data["reason"])
            except DecisionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your stake is declared."))
                return redirect(proposal.get_absolute_url() + "#affectedness")
        status = 400
    else:
        form = StakeForm(cap=cap)
    return render(request, "decisions/stake.html", {
        "proposal": proposal, "scope_chain": _scope_chain(proposal.chapter), "form": form,
    }, status=status)


# -- Subsidiarity --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def move_up(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.move_up", proposal,
             _("Only the author or a facilitator of the scope can move a proposal, before "
               "voting opens."))
    ancestors = _scope_chain(proposal.chapter)[:-1]
    if not ancestors:
        raise PermissionDenied(_("International contains every chapter: there is nowhere "
                                 "further up."))
    status = 200
    form = MoveUpForm(request.POST or None, ancestors=ancestors)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.move_up(proposal=proposal, to_chapter=form.chapter(),
                                 actor=_member_or_403(request))
            except DecisionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The proposal moved up to %(chapter)s.")
                                 % {"chapter": form.chapter().display_name()})
                return redirect(proposal.get_absolute_url())
        status = 400
    return render(request, "decisions/move.html", {
        "proposal": proposal, "scope_chain": _scope_chain(proposal.chapter), "form": form,
        "direction": "up",
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def refer_down(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    _require(request, "decisions.refer_down", proposal,
             _("Only the author or a facilitator of the scope can refer a proposal down, "
               "during deliberation."))
    children = list(chapter_selectors.children_of(proposal.chapter).order_by("name")[:500])
    status = 200
    form = ReferDownForm(request.POST or None, children=children)
    if request.method == "POST":
        if form.is_valid():
            try:
                copies = services.refer_down(proposal=proposal, to_chapters=form.selected(),
                                             actor=_member_or_403(request))
            except DecisionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, ngettext(
                    "The proposal is referred to %(n)s sub-chapter.",
                    "The proposal is referred to %(n)s sub-chapters.", len(copies))
                    % {"n": len(copies)})
                return redirect(proposal.get_absolute_url())
        status = 400
    return render(request, "decisions/move.html", {
        "proposal": proposal, "scope_chain": _scope_chain(proposal.chapter), "form": form,
        "direction": "down",
    }, status=status)


# -- Voting --------------------------------------------------------------------------------


def _ballot_response(request: HttpRequest, proposal: Proposal, context: dict[str, Any],
                     status: int = 200) -> HttpResponse:
    context["scope_chain"] = _scope_chain(proposal.chapter)
    template = "decisions/_ballot.html" if _htmx(request) else "decisions/vote.html"
    return render(request, template, {"ballot": context, **context}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def vote(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The ballot: GET shows it, POST casts (or changes) it. A secret ballot's receipt
    is shown once, in the answer to the POST, and kept nowhere."""
    proposal = _proposal_or_404(request, public_id)
    viewer = _member_or_403(request)
    if proposal.status != Status.VOTING:
        if request.method == "POST":
            messages.error(request, _("Voting on this proposal has not opened yet.")
                           if proposal.status in (Status.DRAFT, Status.DELIBERATION)
                           else _("Voting on this proposal has closed."))
        return redirect(proposal.get_absolute_url())
    if not viewer_of(request).can("decisions.cast_ballot", proposal):
        if not proposal.voting_open():
            if request.method == "POST":
                messages.error(request, _("Voting on this proposal has closed."))
            return redirect(proposal.get_absolute_url())
        raise PermissionDenied(_("You are not on the roll of this vote. The roll was frozen "
                                 "when voting opened, with the members affected at that "
                                 "moment."))
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
            if _htmx(request):
                context = ballot_context(request, proposal)
                context["message"] = message
                return _ballot_response(request, proposal, context)
            messages.success(request, message)
            return redirect(proposal.get_absolute_url() + "#ballot")
    context["form"] = form
    return _ballot_response(request, proposal, context, status=400)


# -- The decision record -------------------------------------------------------------------


def _record_response(request: HttpRequest, decision: Decision, **extra: Any) -> HttpResponse:
    proposal = decision.proposal
    context = {
        "proposal": proposal,
        "scope_chain": _scope_chain(decision.chapter),
        "roll": getattr(proposal, "roll", None),
        **record_context(request, decision),
        **extra,
    }
    return render(request, "decisions/record.html", context)


@require_safe
def record(request: HttpRequest, public_id: uuid.UUID | None = None,
           sequence: int | None = None) -> HttpResponse:
    decision = _decision_or_404(request, public_id, sequence)
    return _record_response(request, decision)


@require_safe
def ballot_file(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The published ballot file (JSON) that `python -m chapterhouse.voting recount`
    reads. No member is named in it; secret ballots carry their receipt hash."""
    decision = _decision_or_404(request, public_id)
    data = selectors.ballot_file(decision.proposal)
    response = HttpResponse(voting.ballot_file_json(data),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="decision-{decision.sequence}-ballots.json"'
    )
    return response


@login_required
@require_POST
def dissent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    decision = _decision_or_404(request, public_id)
    _require(request, "decisions.add_dissent", decision,
             _("Only members who voted against this outcome can add a dissent."))
    form = DissentForm(request.POST)
    if form.is_valid():
        try:
            services.add_dissent(decision=decision, member=_member_or_403(request),
                                 text=form.cleaned_data["text"])
        except DecisionError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, _("Your dissent is published with the record."))
            return redirect(reverse("decisions:record",
                                    kwargs={"public_id": decision.proposal.public_id})
                            + "#dissent")
    response = _record_response(request, decision, dissent_form=form)
    response.status_code = 400
    return response


@require_POST
def find_receipt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Find one's secret ballot in the published file by its receipt code. A POST, so
    the code never lands in an address, a log or the browser history."""
    decision = _decision_or_404(request, public_id)
    form = ReceiptForm(request.POST)
    found: dict[str, Any] | None = None
    if form.is_valid():
        found = selectors.find_secret_ballot(decision.proposal, form.cleaned_data["receipt"])
        if found is not None:
            labels = presenters.labels_of(decision.options)
            found["text"] = presenters.describe_ballot(str(decision.rule.get("method", "")),
                                                       found["ballot"], labels)
        else:
            form.add_error("receipt", _("No ballot in this vote matches that receipt code."))
    response = _record_response(request, decision, receipt_form=form, found_ballot=found,
                                receipt_checked=True)
    if found is None:
        response.status_code = 400
    return response
