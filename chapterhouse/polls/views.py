"""A chapter's polls and surveys: the list, the forms to make one, a poll's page (its
answer form, then its results with charts), the CSV of its answers, turning a poll
into a draft proposal, and a survey's public page for people without an account.
Plain forms throughout: every page works without JavaScript."""

from __future__ import annotations

import csv
from typing import Any

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.navigation import section_context
from chapterhouse.decisions.models import Category
from chapterhouse.decisions.selectors import effective_rules
from chapterhouse.lib.interface import (
    form_action,
    member_required,
    require,
    submit_form,
    viewer_of,
)

from . import selectors, services
from .access import access_poll
from .forms import AnswerForm, PollForm, ProposalForm, SurveyForm, default_closing, option_lines
from .models import Poll

SECTION = "polls"
PER_PAGE = 20
# The session's list of the surveys answered by link (their ids): it shows them the
# results; it is all that remembers them.
ANSWERED_KEY = "polls_answered"
RATE_ACTION = "survey_answer"  # settings.ACCOUNT_RATE_LIMITS


@require_safe
def chapter(request: HttpRequest, url_path: str) -> HttpResponse:
    context = section_context(request, url_path, SECTION)
    polls = selectors.chapter_polls(context["chapter"])
    context.update(
        page_obj=Paginator(polls, PER_PAGE).get_page(request.GET.get("page")),
        may_create=viewer_of(request).can("polls.create", context["chapter"]),
    )
    return render(request, "polls/chapter.html", context)


def _new(request: HttpRequest, url_path: str, form_class: type, template: str,
         create: Any) -> HttpResponse:
    context = section_context(request, url_path, SECTION)
    author = member_required(request)
    require(request, "polls.create", context["chapter"],
            _("Only the members of this chapter can ask it something."))
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        done = submit_form(request, form, lambda: create(form, context["chapter"], author),
                           success=_("It is open for answers."),
                           then=lambda poll: poll.get_absolute_url())
        if done is not None:
            return done
        status = 400
    else:
        form = form_class(initial={"closes_at": default_closing()})
    context["form"] = form
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_poll(request: HttpRequest, url_path: str) -> HttpResponse:
    def create(form: PollForm, chapter: Any, author: Any) -> Poll:
        data = form.cleaned_data
        return services.create_poll(
            chapter=chapter, author=author, question=data["question"],
            options=option_lines(data["options"]), multiple=data["multiple"],
            anonymous=data["anonymous"], closes_at=data["closes_at"])

    return _new(request, url_path, PollForm, "polls/new_poll.html", create)


@login_required
@require_http_methods(["GET", "POST"])
def new_survey(request: HttpRequest, url_path: str) -> HttpResponse:
    def create(form: SurveyForm, chapter: Any, author: Any) -> Poll:
        data = form.cleaned_data
        return services.create_survey(
            chapter=chapter, author=author, title=data["title"],
            description=data["description"], questions=form.questions(),
            anonymous=data["anonymous"], by_link=data["by_link"],
            closes_at=data["closes_at"])

    return _new(request, url_path, SurveyForm, "polls/new_survey.html", create)


def _categories(poll: Poll) -> list[tuple[str, str]]:
    labels = dict(Category.choices)
    return [(key, str(labels.get(key, key))) for key in effective_rules(poll.chapter)]


def _detail(request: HttpRequest, url_path: str, public_id: str, *,
            form: AnswerForm | None = None, status: int = 200) -> HttpResponse:
    context = section_context(request, url_path, SECTION)
    poll = access_poll(request, context["chapter"], public_id)
    viewer = viewer_of(request)
    answered = selectors.has_answered(poll, viewer.active_member)
    may_answer = not answered and viewer.can("polls.answer", poll)
    show_results = answered or viewer.can("polls.see_results", poll)
    may_export = viewer.can("polls.export", poll)
    may_propose = viewer.can("polls.make_proposal", poll)
    may_close = viewer.can("polls.close", poll)
    total, found = (selectors.results(poll, with_texts=may_export) if show_results
                    else (0, []))
    context.update(
        poll=poll, answered=answered, may_answer=may_answer, show_results=show_results,
        total=total, results=found, may_export=may_export, may_close=may_close,
        form=form or (AnswerForm(poll=poll) if may_answer else None),
        proposal_form=ProposalForm(categories=_categories(poll)) if may_propose else None,
    )
    return render(request, "polls/detail.html", context, status=status)


@require_safe
def detail(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    return _detail(request, url_path, public_id)


@login_required
@require_POST
def answer(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    context = section_context(request, url_path, SECTION)
    poll = access_poll(request, context["chapter"], public_id, "polls.answer",
                       denied=_("Only the members of this chapter answer, while it is open."))
    member = member_required(request)
    form = AnswerForm(request.POST, poll=poll)
    done = submit_form(request, form,
                       lambda: services.answer(poll=poll, member=member,
                                               answers=form.answers()),
                       success=_("Thank you: your answer is counted."),
                       then=poll.get_absolute_url())
    return done or _detail(request, url_path, public_id, form=form, status=400)


@login_required
@require_POST
def close(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    """Close the poll now, before its closing time (its author or a facilitator)."""
    context = section_context(request, url_path, SECTION)
    poll = access_poll(request, context["chapter"], public_id, "polls.close",
                       denied=_("Only its author and the chapter's facilitators close it, "
                                "while it is open."))
    member = member_required(request)
    return form_action(request, lambda: services.close_poll(poll=poll, member=member),
                       success=_("Closed: it takes no more answers, and everyone sees "
                                 "its results."),
                       then=poll.get_absolute_url())


@login_required
@require_safe
def export(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    context = section_context(request, url_path, SECTION)
    poll = access_poll(request, context["chapter"], public_id, "polls.export",
                       denied=_("Only its author and the chapter's facilitators download "
                                "the answers."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="answers-{poll.public_id}.csv"'
    writer = csv.writer(response)
    for row in selectors.csv_rows(poll):
        # A cell that starts like a formula is not run by a spreadsheet.
        writer.writerow([f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell
                         for cell in row])
    return response


@login_required
@require_POST
def make_proposal(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    context = section_context(request, url_path, SECTION)
    poll = access_poll(request, context["chapter"], public_id, "polls.make_proposal",
                       denied=_("Only its author and the chapter's facilitators can make "
                                "a proposal of it."))
    author = member_required(request)
    form = ProposalForm(request.POST, categories=_categories(poll))
    done = submit_form(request, form,
                       lambda: services.make_proposal(poll=poll, author=author,
                                                      category=form.cleaned_data["category"]),
                       success=_("A draft proposal is made from the poll: edit it, then "
                                 "publish it."),
                       then=lambda proposal: proposal.get_absolute_url())
    if done is not None:
        return done
    for error in form.errors.values():
        messages.error(request, " ".join(str(message) for message in error))
    return redirect(poll.get_absolute_url())


def _public_poll(token: str) -> Poll:
    poll = selectors.get_poll_by_link(token)
    if poll is None:
        raise Http404(_("There is no such survey."))
    return poll


@require_http_methods(["GET", "POST"])
def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """A survey's page for anyone with its link, with or without an account. Answers
    are counted per client address (settings.ACCOUNT_RATE_LIMITS["survey_answer"]):
    past the limit nothing is stored and a short page says to come back later. A form
    whose hidden field was filled (a script) is thanked and not stored."""
    poll = _public_poll(token)
    results_url = reverse("polls:public_results", kwargs={"token": token})
    status = 200
    form = AnswerForm(request.POST or None, poll=poll, honeypot=True)
    if request.method == "POST" and not poll.is_closed():
        if form.is_valid() and form.is_bot():
            return redirect(results_url)
        if not ratelimit.consume(request, action=RATE_ACTION):
            return render(request, "polls/limited.html", {"poll": poll}, status=429)
        member = viewer_of(request).active_member
        done = submit_form(request, form,
                           lambda: services.answer_by_link(poll=poll, member=member,
                                                           answers=form.answers()),
                           success=_("Thank you: your answer is counted."), then=results_url)
        if done is not None:
            answered = request.session.get(ANSWERED_KEY, [])
            request.session[ANSWERED_KEY] = [*answered, str(poll.public_id)][-50:]
            return done
        status = 400
    return render(request, "polls/public.html", {
        "poll": poll, "form": form, "closed": poll.is_closed(), "results_url": results_url,
    }, status=status)


@require_safe
def public_results(request: HttpRequest, token: str) -> HttpResponse:
    """The survey's charts for whoever answered it in this browser, or for anyone once it
    closed. Texts are never shown here (they may say who wrote them)."""
    poll = _public_poll(token)
    answered = str(poll.public_id) in request.session.get(ANSWERED_KEY, [])
    shown = answered or poll.is_closed()
    total, found = selectors.results(poll) if shown else (0, [])
    return render(request, "polls/public_results.html", {
        "poll": poll, "shown": shown, "total": total, "results": found,
        "survey_url": reverse("polls:public", kwargs={"token": token}),
    })
