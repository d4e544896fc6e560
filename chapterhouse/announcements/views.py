"""A chapter's announcements: the panel on its page, the list of them all, one of them,
and the forms to write, edit and withdraw one (plain forms: they work without
JavaScript)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from chapterhouse.chapters.access import access_chapter
from chapterhouse.chapters.navigation import page_context
from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.interface import member_required, submit_form, viewer_of

from . import selectors, services
from .access import access_announcement
from .forms import AnnouncementForm, EditForm, WithdrawForm

ANNOUNCEMENTS_PER_PAGE = 20


def _may_announce(request: HttpRequest, found: ChapterChain) -> bool:
    member = viewer_of(request).member
    if member is not None and found.home is not None:
        member.home_chapter = found.home  # the chain holds it: the rule needs no query
    return viewer_of(request).can("announcements.announce", found.chapter)


def panel_context(request: HttpRequest, found: ChapterChain) -> dict[str, Any]:
    """The chapter page's panel (chapters.panels): the newest few. One query."""
    latest = selectors.latest_shown_in(found.chain)
    return {
        "announcements": latest[: selectors.SHOWN_ON_CHAPTER_PAGE],
        "more": len(latest) > selectors.SHOWN_ON_CHAPTER_PAGE,
        "chapter": found.chapter,
        "may_announce": _may_announce(request, found),
    }


@require_safe
def chapter_announcements(request: HttpRequest, url_path: str) -> HttpResponse:
    """Every announcement the chapter's page shows, newest first, a page at a time."""
    found = access_chapter(request, url_path)
    context = page_context(found, "overview")
    rows = selectors.announcements_shown_in(found.chain)
    context["page_obj"] = Paginator(rows, ANNOUNCEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context["may_announce"] = _may_announce(request, found)
    return render(request, "announcements/list.html", context)


@require_safe
def detail(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    found = access_chapter(request, url_path)
    context = page_context(found, "overview")
    announcement = access_announcement(request, found, public_id)
    viewer = viewer_of(request)
    context["announcement"] = announcement
    context["may_edit"] = viewer.can("announcements.edit_announcement", announcement)
    context["may_withdraw"] = viewer.can("announcements.withdraw_announcement", announcement)
    return render(request, "announcements/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    """Change an announcement's title and text (its author, the chapter's facilitators)."""
    found = access_chapter(request, url_path)
    announcement = access_announcement(request, found, public_id,
                                       "announcements.edit_announcement")
    editor = member_required(request)
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.edit_announcement(
                announcement=announcement, editor=editor,
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
            ),
            success=_("The announcement is changed."),
            then=announcement.get_absolute_url(),
        )
        if done is not None:
            return done
        status = 400
    else:
        form = EditForm(initial={"title": announcement.title, "body": announcement.body})
    context = page_context(found, "overview")
    context.update(form=form, announcement=announcement)
    return render(request, "announcements/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    """Withdraw an announcement, with an optional reason (a page asks to confirm)."""
    found = access_chapter(request, url_path)
    announcement = access_announcement(request, found, public_id,
                                       "announcements.withdraw_announcement")
    member = member_required(request)
    status = 200
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.withdraw_announcement(
                announcement=announcement, member=member,
                reason=form.cleaned_data["reason"],
            ),
            success=_("The announcement is withdrawn."),
            then=announcement.get_absolute_url(),
        )
        if done is not None:
            return done
        status = 400
    else:
        form = WithdrawForm()
    context = page_context(found, "overview")
    context.update(form=form, announcement=announcement)
    return render(request, "announcements/withdraw.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, url_path: str) -> HttpResponse:
    found = access_chapter(
        request, url_path, "announcements.announce",
        denied=_("Only this chapter's facilitators (and its members, where the chapter "
                 "allows it) can write announcements."),
    )
    chapter = found.chapter
    author = member_required(request)
    status = 200
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.announce(
                chapter=chapter, author=author,
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                reaches_subchapters=form.cleaned_data["reaches_subchapters"],
            ),
            success=_("Your announcement is sent to the chapter's members."),
            then=chapter.get_absolute_url(),
        )
        if done is not None:
            return done
        status = 400
    else:
        form = AnnouncementForm()
    context = page_context(found, "overview")
    context["form"] = form
    return render(request, "announcements/new.html", context, status=status)
