"""A chapter's mutual-aid board, its entries, the forms to post and edit one, the
buttons of their author and facilitators, the private reply, and the member's own
entries. Plain forms throughout: every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.navigation import section_context
from chapterhouse.lib.interface import (
    form_action,
    member_required,
    submit_form,
    viewer_of,
)

from . import selectors, services
from .access import access_entry
from .forms import BoardFilterForm, EntryForm, RemoveForm, ReplyForm
from .models import Entry

ENTRIES_PER_PAGE = 20
SECTION = "mutualaid"


def _board_url(entry_or_chapter: Any) -> str:
    chapter = getattr(entry_or_chapter, "chapter", entry_or_chapter)
    return reverse("mutualaid:chapter", kwargs={"url_path": chapter.url_path})


@require_safe
def board(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's open offers and requests that the viewer may see, newest first,
    filtered by kind and category, with the chapters below on request; a page at a
    time. Members-only entries are filtered out in the query, so an outsider's page
    and its counts never hold them."""
    context = section_context(request, url_path, SECTION)
    chapter = context["chapter"]
    viewer = viewer_of(request)
    filters = BoardFilterForm(request.GET)
    chosen: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.board_entries(
        chapter=chapter, viewer=viewer.active_member,
        kind=chosen.get("kind", ""), category=chosen.get("category", ""),
        include_subchapters=chosen.get("subchapters", False),
    )
    context.update(
        filters=filters,
        page_obj=Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
        may_post=viewer.can("mutualaid.post", chapter),
    )
    return render(request, "mutualaid/board.html", context)


def _entry_form_data(form: EntryForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "kind": data["kind"], "category": data["category"], "title": data["title"],
        "description": data["description"], "expires_on": data["expires_on"],
        "visible_to_everyone": data["visible_to_everyone"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, url_path: str) -> HttpResponse:
    context = section_context(request, url_path, SECTION)
    chapter = context["chapter"]
    author = member_required(request)
    if not viewer_of(request).can("mutualaid.post", chapter):
        messages.error(request, _("Only the members of this chapter can post on its board."))
        return redirect(_board_url(chapter))
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.post_entry(chapter=chapter, author=author,
                                        **_entry_form_data(form)),
            success=_("Your entry is on the board."),
            then=lambda entry: entry.get_absolute_url(),
        )
        if done is not None:
            return done
        status = 400
    else:
        form = EntryForm(initial={"kind": request.GET.get("kind", "request")})
    context["form"] = form
    return render(request, "mutualaid/form.html", context, status=status)


def _detail_context(
    request: HttpRequest, url_path: str, public_id: str, permission: str | None = None,
    denied: str | None = None,
) -> tuple[dict[str, Any], Entry]:
    context = section_context(request, url_path, SECTION)
    entry = access_entry(request, context["chapter"], public_id, permission, denied=denied)
    viewer = viewer_of(request)
    context.update(
        entry=entry,
        may_edit=viewer.can("mutualaid.edit_entry", entry),
        may_remove=viewer.can("mutualaid.remove_entry", entry),
        may_reply=viewer.can("mutualaid.reply", entry),
        is_author=viewer.member is not None and entry.author_id == viewer.member.pk,
        board_url=_board_url(entry),
    )
    return context, entry


@require_safe
def detail(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    context, _entry = _detail_context(request, url_path, public_id)
    context["reply_form"] = ReplyForm()
    context["remove_form"] = RemoveForm()
    return render(request, "mutualaid/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    context, entry = _detail_context(
        request, url_path, public_id, "mutualaid.edit_entry",
        denied=_("Only its author can change this entry."))
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.edit_entry(entry=entry, **_entry_form_data(form)),
            success=_("Your entry is changed."), then=entry.get_absolute_url(),
        )
        if done is not None:
            return done
        status = 400
    else:
        form = EntryForm(initial={
            "kind": entry.kind, "category": entry.category, "title": entry.title,
            "description": entry.description, "expires_on": entry.expires_on,
            "visible_to_everyone": entry.visible_to_everyone,
        })
    context["form"] = form
    return render(request, "mutualaid/form.html", context, status=status)


@login_required
@require_POST
def fulfil(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    _context, entry = _detail_context(request, url_path, public_id, "mutualaid.edit_entry",
                                      denied=_("Only its author can change this entry."))
    return form_action(request, lambda: services.mark_fulfilled(entry=entry),
                       success=_("Marked fulfilled: it has left the board."),
                       then=entry.get_absolute_url())


@login_required
@require_POST
def delete(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    _context, entry = _detail_context(request, url_path, public_id, "mutualaid.edit_entry",
                                      denied=_("Only its author can delete this entry."))
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that you delete it for good."))
        return redirect(entry.get_absolute_url())
    return form_action(request, lambda: services.delete_entry(entry=entry),
                       success=_("Your entry is deleted."), then=reverse("mutualaid:mine"))


@login_required
@require_POST
def remove(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    _context, entry = _detail_context(
        request, url_path, public_id, "mutualaid.remove_entry",
        denied=_("Only the chapter's facilitators can remove an entry."))
    facilitator = member_required(request)
    return form_action(
        request,
        lambda: services.remove_entry(entry=entry, facilitator=facilitator,
                                      reason=request.POST.get("reason", "")),
        success=_("The entry is removed from the board."), then=entry.get_absolute_url(),
    )


@login_required
@require_POST
def reply(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    """A private reply: a new conversation with the author, where the member lands.
    A refusal (a block, the new-account limit, an empty message) shows on the entry's
    page above the form, which keeps what they wrote (status 400)."""
    context, entry = _detail_context(
        request, url_path, public_id, "mutualaid.reply",
        denied=_("You cannot reply to this entry."))
    member = member_required(request)
    form = ReplyForm(request.POST)
    done = submit_form(
        request, form,
        lambda: services.reply_privately(entry=entry, member=member,
                                         body=form.cleaned_data["body"]),
        success=_("Your message is sent. You can go on talking here."),
        then=lambda conversation: conversation.get_absolute_url(),
    )
    if done is not None:
        return done
    context["reply_form"] = form
    context["remove_form"] = RemoveForm()
    return render(request, "mutualaid/detail.html", context, status=400)


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own entries on every board, whatever their state."""
    member = member_required(request)
    entries = selectors.entries_of(member)
    return render(request, "mutualaid/mine.html", {
        "page_obj": Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
        "home_board": _board_url(member.home_chapter),
    })
