"""A chapter's founding documents: the panel on its page, the list, a document, a
section's history with the differences between versions, and the facilitators' form
to create a document with its founding text. Plain pages: they work without
JavaScript."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from chapterhouse.chapters.access import access_chapter
from chapterhouse.chapters.navigation import page_context
from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.interface import member_required, require, submit_form, viewer_of

from . import selectors, services
from . import text as texts
from .forms import DocumentForm
from .models import Document, Section


def _may_create(request: HttpRequest, found: ChapterChain) -> bool:
    return viewer_of(request).can("documents.create_document", found.chapter)


def panel_context(request: HttpRequest, found: ChapterChain) -> dict[str, Any]:
    """The chapter page's panel (chapters.panels): the chapter's documents. One query,
    none when cached."""
    return {"documents": selectors.documents_for_chapter_page(found.chapter),
            "chapter": found.chapter, "may_create": _may_create(request, found)}


@require_safe
def chapter_documents(request: HttpRequest, url_path: str) -> HttpResponse:
    found = access_chapter(request, url_path)
    context = page_context(found, "overview")
    context["documents"] = list(selectors.documents_of(found.chapter))
    context["may_create"] = _may_create(request, found)
    return render(request, "documents/list.html", context)


def _document(found: ChapterChain, slug: str) -> Document:
    document = selectors.document(found.chapter, slug)
    if document is None:
        raise Http404(_("There is no such document."))
    document.chapter = found.chapter
    return document


def propose_url(document: Document, section: Section) -> str:
    """The draft form of a proposal amending the section, prefilled."""
    query = urlencode({"category": "rules", "document_section": str(section.public_id)})
    return (reverse("decisions:new", kwargs={"url_path": document.chapter.url_path})
            + "?" + query)


@require_safe
def detail(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    found = access_chapter(request, url_path)
    document = _document(found, slug)
    context = page_context(found, "overview")
    context["document"] = document
    context["sections"] = [
        {"section": s, "propose_url": propose_url(document, s)}
        for s in selectors.sections_of(document)
    ]
    return render(request, "documents/detail.html", context)


@require_safe
def history(request: HttpRequest, url_path: str, slug: str, section_id: str) -> HttpResponse:
    """Every version of a section, newest first, each with what changed from the one
    before it and the decision that made it."""
    found = access_chapter(request, url_path)
    document = _document(found, slug)
    section = selectors.section(document, section_id)
    if section is None:
        raise Http404(_("There is no such section."))
    versions = list(selectors.versions_of(section))
    rows = []
    for i, version in enumerate(versions):
        before = versions[i + 1] if i + 1 < len(versions) else None
        rows.append({
            "version": version,
            "diff": texts.diff_html(before.text, version.text) if before else None,
            "heading_changed": before is not None and before.heading != version.heading,
            "previous": before,
            "drafted_against_older": (version.based_on is not None and before is not None
                                      and version.based_on != before.number),
        })
    context = page_context(found, "overview")
    context.update(document=document, section=section, rows=rows,
                   propose_url=propose_url(document, section))
    return render(request, "documents/history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, url_path: str) -> HttpResponse:
    """A facilitator (or staff) creates a document with its founding text."""
    found = access_chapter(request, url_path)
    require(request, "documents.create_document", found.chapter,
            _("Only the chapter's facilitators create its founding documents."))
    actor = member_required(request)
    status = 200
    form = DocumentForm(request.POST or None)
    if request.method == "POST":
        def create() -> Document:
            data = form.cleaned_data
            return services.create_document(
                chapter=found.chapter, kind=data["kind"], title=data["title"],
                sections=services.split_sections(data["text"]), actor=actor)

        done = submit_form(request, form, create,
                           success=_("The document is created with its founding text."),
                           then=lambda d: reverse("documents:detail", kwargs={
                               "url_path": found.chapter.url_path, "slug": d.slug}))
        if done is not None:
            return done
        status = 400
    context = page_context(found, "overview")
    context["form"] = form
    return render(request, "documents/new.html", context, status=status)
