"""The decision log of every chapter (filtered, exported) and a chapter's Decisions section."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chapterhouse.chapters.access import chapter_lookup
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.navigation import section_context
from chapterhouse.chapters.selectors import full_names
from chapterhouse.lib import pagecache
from chapterhouse.lib.interface import is_htmx, viewer_of

from .. import presenters, selectors
from ..forms import (
    DecisionFilterForm,
)
from ..models import Decision, Proposal

Status = Proposal.Status


DECISIONS_PER_PAGE = 50

LOG_PER_PAGE = 20

STAGE_PER_PAGE = 50

RULES_CACHE_SECONDS = 600

EXPORT_CHUNK = 2000


def _filter_form(request: HttpRequest) -> DecisionFilterForm:
    categories = list(
        Decision.objects.order_by().values_list("category", flat=True).distinct()[:100]
    )
    return DecisionFilterForm(request.GET or None, categories=categories)


def _chapter_filter_context(form: DecisionFilterForm, query: QueryDict) -> dict[str, Any]:
    """What the chapter filter shows: the chapter found, by its name with its parents
    (the field shows it so); or, for a name several chapters have, each of them as a
    link to the same filters with that chapter's address."""
    found: Chapter | None = None
    if form.is_bound:
        form.is_valid()  # cleans it: cleaned_data holds the fields that are valid
        found = form.cleaned_data.get("chapter")
    shown = [found] if found is not None else form.chapter_choices
    names = full_names(shown)
    typed = str(form.data.get("chapter", "")).strip() if form.is_bound else ""
    if found is not None:
        form.show_chapter_as(names[found.pk])
    choices = []
    for choice in form.chapter_choices:
        picked = query.copy()
        picked["chapter"] = chapter_lookup(choice.url_path)
        picked.pop("chapter_path", None)
        choices.append((names[choice.pk], "?" + picked.urlencode()))
    return {
        "chapter_name": names[found.pk] if found is not None else None,
        "chapter_choices": choices,
        "chapter_typed": typed,
    }


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
        **_chapter_filter_context(form, query),
        "htmx": is_htmx(request),
    }
    if is_htmx(request):
        # The results with the filter's errors in their place, as a 200 (as a refused
        # ballot's panel is): htmx swaps only successful answers.
        return render(request, "decisions/_decision_rows.html", context)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "decisions/index.html", context, status=status)


EXPORT_FIELDS = (
    "sequence", "decided_at", "scope", "chapter", "category", "title", "outcome", "winners",
    "method", "secret", "voters", "turnout_weight", "eligible_weight", "turnout_share",
    "roll_hash", "record_hash", "previous_hash", "url",
)


def _export_rows(request: HttpRequest, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The filtered decisions as flat rows, streamed in chunks (no instance per row
    kept: values() with the JSON columns needed)."""
    rows = selectors.decisions(**filters).values_list(
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
    # Worked out before the response starts: a bad filter is a 400, not a broken stream.
    filters = form.filters()
    stamp = timezone.now().strftime("%Y%m%d")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(EXPORT_FIELDS)
            for row in _export_rows(request, filters):
                yield writer.writerow([_csv_cell(row[name]) for name in EXPORT_FIELDS])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="decisions-{stamp}.csv"'
        return response

    def chunks() -> Iterator[str]:
        yield "["
        for index, row in enumerate(_export_rows(request, filters)):
            yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="decisions-{stamp}.json"'
    return response


@require_safe
@pagecache.cache_for_anonymous
def chapter(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's proposals by stage (each stage's first few; ?stage= lists one in
    full) and its decision log."""
    context = section_context(request, url_path, "decisions")
    scope: Chapter = context["chapter"]
    viewer = viewer_of(request).member
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

