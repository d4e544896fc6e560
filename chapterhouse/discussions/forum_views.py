"""Each chapter's forum (/forums/<chapter path>/, forum_urls): its threads with what
is new to the member, the form to start one (with a preview), and the member's level
for the forum. Interfaces only: parse, authorise, call one service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from chapterhouse.chapters.navigation import section_context
from chapterhouse.lib.interface import form_action, member_required, submit_form, viewer_of

from . import selectors, services
from .forms import ThreadForm
from .models import Level, Thread
from .views import level_choices, posted_level

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter

FORUM_LEVELS = (Level.WATCHING, Level.DEFAULT, Level.MUTED)

FORUM_SAID = {
    Level.WATCHING: gettext_lazy("You are watching this forum: you are told of every post in it."),
    Level.MUTED: gettext_lazy("You muted this forum: you are told of nothing in it, unless you "
                       "follow a thread yourself."),
    Level.DEFAULT: gettext_lazy("You are told of replies to you, quotes of you and mentions."),
}


@require_http_methods(["GET", "HEAD", "POST"])
def chapter_forum(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's forum threads, most recently active first, and (for its
    members) the form to start one."""
    context = section_context(request, url_path, "forums")
    chapter: Chapter = context["chapter"]
    viewer = viewer_of(request)
    may_start = viewer.member is not None and viewer.can("discussions.start_thread", chapter)
    form = ThreadForm()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        if not may_start:
            raise PermissionDenied(_("Only members of this chapter can start a thread here."))
        form = ThreadForm(request.POST)
        if request.POST.get("preview") and form.is_valid():
            preview = selectors.preview_html(form.cleaned_data["body"])
            return _forum_page(request, context, form=form, may_start=may_start,
                               preview=preview)
        done = submit_form(
            request, form,
            lambda: services.start_thread(
                chapter=chapter,
                author=viewer.member,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                kind=Thread.Kind.FORUM,
            ),
            success=_("Your thread is started."), then=lambda thread: thread.get_absolute_url())
        if done is not None:
            return done
        status = 400
    return _forum_page(request, context, form=form, may_start=may_start, status=status)


def _forum_page(request: HttpRequest, context: dict[str, Any], *, form: ThreadForm,
                may_start: bool, status: int = 200, preview: str = "") -> HttpResponse:
    """The forum list: for a member, each thread's new posts and the link to the first
    of them (in the list's own query), and the forum's level and new posts (one more)."""
    chapter: Chapter = context["chapter"]
    member = viewer_of(request).member
    if member is None:
        threads = selectors.forum_threads(chapter)
        state = None
    else:
        threads = selectors.forum_threads_read_by(chapter, member)
        state = selectors.forum_state(chapter, member)
        for section in context["nav"]:
            if section["key"] == "forums":
                section["new"] = state.new
    page = Paginator(threads, selectors.THREADS_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        page_obj=page,
        rows=selectors.forum_rows(list(page.object_list)),
        forum_new=state.new if state else 0,
        forum_said=FORUM_SAID[state.level] if state else "",
        levels=level_choices(FORUM_LEVELS, state.level if state else None),
        form=form,
        may_start=may_start,
        preview_html=preview,
    )
    return render(request, "discussions/forum.html", context, status=status)


@login_required
@require_POST
def forum_level(request: HttpRequest, url_path: str) -> HttpResponse:
    """Watch or mute a chapter's forum (POST + redirect)."""
    context = section_context(request, url_path, "forums")
    chapter: Chapter = context["chapter"]
    level = posted_level(request)
    return form_action(
        request,
        lambda: services.set_forum_level(
            member=member_required(request), chapter=chapter, level=level),
        success=str(FORUM_SAID.get(Level(level), "")) if level in Level.values else "",
        then=reverse("forums:chapter", kwargs={"url_path": chapter.url_path}),
    )
