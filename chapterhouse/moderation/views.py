"""Moderation's pages (plain forms: they work without JavaScript): report a piece of
content, a chapter's queue (reports and appeals), one reported thing with the
facilitators' decision, the author's appeal, and the chapter's public log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.access import access_chapter
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.navigation import page_context
from chapterhouse.lib import reportables
from chapterhouse.lib.interface import member_required, require, submit_form, viewer_of

from . import selectors, services
from .forms import AppealDecisionForm, AppealForm, DecisionForm, ReportForm, SettingsForm
from .models import Appeal, Hidden

LOG_PER_PAGE = 50


def _target(request: HttpRequest, label: str, pk: int) -> tuple[reportables.Reportable, Any]:
    """The content, if the viewer may see it (404 otherwise: its existence is not told)."""
    found = selectors.target_of(label, pk)
    if found is None:
        raise Http404(_("There is no such content."))
    reportable, target = found
    if reportable.view is not None and not viewer_of(request).can(reportable.view,
                                                            reportable.view_on(target)):
        raise Http404(_("There is no such content."))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """Report a piece of content to the facilitators of its chapter, with a reason."""
    reportable, target = _target(request, label, pk)
    require(request, "moderation.report", target, _("You cannot report this."))
    member = member_required(request)
    status = 200
    existing = selectors.open_report_of(target, member.pk)
    if request.method == "POST":
        form = ReportForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.report(reporter=member, target=target,
                                    reason=form.cleaned_data["reason"]),
            success=_("Thank you: the facilitators will look at it."),
            then=reportable.url_of(target),
        )
        if done is not None:
            return done
        status = 400
    else:
        form = ReportForm(initial={"reason": existing.reason if existing else ""})
    return render(request, "moderation/report.html", {
        "form": form, "noun": target._meta.verbose_name, "url": reportable.url_of(target),
        "already": existing is not None,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def content(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """One piece of content for its moderators: its reports, whether it is hidden, and
    the decision (hide, restore, dismiss the reports) with a reason."""
    reportable, target = _target(request, label, pk)
    require(request, "moderation.moderate", target, _("You do not moderate this."))
    member = member_required(request)
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        decision = request.POST.get("decision", "")
        services_by_decision = {"hide": services.hide, "restore": services.restore,
                                "dismiss": services.dismiss}
        run = services_by_decision.get(decision)
        if run is None:
            form.is_valid()
            form.add_error(None, _("Choose hide, restore or dismiss."))
        else:
            done = submit_form(
                request, form,
                lambda: run(target=target, moderator=member,
                            reason=form.cleaned_data["reason"]),
                success={"hide": _("It is hidden; its author is told."),
                         "restore": _("It is shown again; its author is told."),
                         "dismiss": _("The reports are dismissed.")}[decision],
                then=request.path,
            )
            if done is not None:
                return done
        status = 400
    else:
        form = DecisionForm()
    chapter = reportable.chapter_of(target)
    item = selectors.QueueItem(content_type=_content_type(target), object_id=target.pk,
                               label=target._meta.label_lower, chapter=chapter)
    item.excerpt = reportables.short(reportable.excerpt(target), 1000)
    item.url = reportable.url_of(target)
    return render(request, "moderation/content.html", {
        "form": form, "item": item, "hidden": selectors.hidden_of(target),
        "reports": selectors.open_report_count(target),
        "reasons": selectors.open_reasons(target),
        "queue_url": (reverse("moderation:queue", kwargs={"url_path": chapter.url_path})
                      if chapter is not None else ""),
    }, status=status)


def _content_type(target: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(target)


@require_safe
def queue(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's facilitators' queue: reported content (theirs, and what waited
    too long below them), and the appeals they decide."""
    found = access_chapter(request, url_path, "moderation.view_queue",
                           denied=_("Only the chapter's facilitators see its moderation queue."))
    context = page_context(found, "overview")
    context.update(
        items=selectors.queue(found.chapter),
        appeals=selectors.appeals_for(found.chapter),
        appeal_form=AppealDecisionForm(),
        settings_form=SettingsForm(initial={
            "escalate_after_hours": services.escalation_hours(found.chapter)}),
    )
    return render(request, "moderation/queue.html", context)


@login_required
@require_POST
def settings(request: HttpRequest, url_path: str) -> HttpResponse:
    """How long a report waits for the chapter's facilitators (theirs to choose)."""
    found = access_chapter(request, url_path, "moderation.view_queue",
                           denied=_("Only the chapter's facilitators change this."))
    member = member_required(request)
    form = SettingsForm(request.POST)
    then = reverse("moderation:queue", kwargs={"url_path": url_path})
    done = submit_form(
        request, form,
        lambda: services.set_escalation_hours(
            chapter=found.chapter, member=member,
            hours=form.cleaned_data["escalate_after_hours"]),
        success=_("Saved."), then=then,
    )
    if done is not None:
        return done
    context = page_context(found, "overview")
    context.update(items=selectors.queue(found.chapter),
                   appeals=selectors.appeals_for(found.chapter),
                   appeal_form=AppealDecisionForm(), settings_form=form)
    return render(request, "moderation/queue.html", context, status=400)


@require_safe
def log(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's public moderation log: what was decided, when, why and by whom
    (their role), never the content."""
    found = access_chapter(request, url_path)
    context = page_context(found, "overview")
    context["page_obj"] = Paginator(selectors.log_of(found.chapter),
                                    LOG_PER_PAGE).get_page(request.GET.get("page"))
    context["may_moderate"] = viewer_of(request).can("moderation.view_queue", found.chapter)
    return render(request, "moderation/log.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's one appeal of a hiding, to the facilitators of the chapter above."""
    hidden = get_object_or_404(Hidden.objects.select_related("chapter"), pk=pk)
    viewer = viewer_of(request)
    member = member_required(request)
    if hidden.author_id != member.pk:
        raise Http404(_("There is no such content."))
    require(request, "moderation.appeal", hidden, _("You cannot appeal this (once only)."))
    url = services._url_of_hidden(hidden)
    status = 200
    if request.method == "POST":
        form = AppealForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.appeal(hidden=hidden, author=member,
                                    text=form.cleaned_data["text"]),
            success=_("Your appeal is sent to the facilitators of the chapter above."),
            then=url or "/",
        )
        if done is not None:
            return done
        status = 400
    else:
        form = AppealForm()
    del viewer
    return render(request, "moderation/appeal.html",
                  {"form": form, "hidden": hidden, "url": url}, status=status)


@login_required
@require_POST
def decide_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """Uphold a hiding or restore the content (the parent chapter's facilitators)."""
    appeal = get_object_or_404(Appeal.objects.select_related("hidden", "chapter"), pk=pk)
    require(request, "moderation.decide_appeal", appeal, _("You do not decide this appeal."))
    member = member_required(request)
    form = AppealDecisionForm(request.POST)
    restore = request.POST.get("decision") == "restore"
    chapter_path = appeal.chapter.url_path if appeal.chapter is not None else ""
    then = reverse("moderation:queue", kwargs={"url_path": chapter_path})
    done = submit_form(
        request, form,
        lambda: services.decide_appeal(appeal=appeal, moderator=member, restore=restore,
                                       reason=form.cleaned_data["reason"]),
        success=_("The appeal is decided; the author is told."), then=then,
    )
    if done is not None:
        return done
    return render(request, "moderation/appeal_decision.html",
                  {"form": form, "appeal": appeal, "queue_url": then}, status=400)


def panel_context(request: HttpRequest, found: Any) -> dict[str, Any]:
    """The chapter page's panel (chapters.panels), for its facilitators alone: their way
    to the queue. How many things wait there is filled in for each visit
    (`waiting_line`), so a new report shows at once on a page served from the cache."""
    viewer = viewer_of(request)
    if viewer.active_member is None or not viewer.can("moderation.view_queue", found.chapter):
        return {"chapter": found.chapter, "may_moderate": False}
    return {"chapter": found.chapter, "may_moderate": True}


def waiting_line(request: HttpRequest, args: Mapping[str, Any]) -> str:
    """How many things wait in the queue of the chapter (args: its `chapter` id and
    `path`), for the chapter page's panel (a hole of lib.pagecache, shown only to those
    who may see the queue). No query when cached (selectors.waiting_count)."""
    chapter = Chapter(pk=int(args["chapter"]), path=str(args["path"]))
    return render_to_string("moderation/_waiting.html",
                            {"waiting": selectors.waiting_count(chapter)}, request=request)
