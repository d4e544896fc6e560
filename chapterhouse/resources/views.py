"""A chapter's library (/c/<path>/resources/): the list with its tag filter, one
resource, its download, the forms to add and remove; the organisation's lessons
(/lessons/): the index with its filters, one lesson with its comments and "this helped
us", and the form to write one. Plain forms: everything works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.navigation import section_context
from chapterhouse.lib.interface import form_action, member_required, submit_form, viewer_of

from . import selectors, services
from .access import access_lesson, access_resource
from .forms import LessonFilterForm, LessonForm, RemoveForm, ResourceForm

RESOURCES_PER_PAGE = 25
LESSONS_PER_PAGE = 20
CHAPTER_LESSONS_SHOWN = 5


def _members_view(request: HttpRequest, chapter: Chapter) -> bool:
    """Whether the reader sees the chapter's members-only resources (asked once for
    the whole list, not per resource)."""
    return viewer_of(request).can("resources.view_members_only", chapter)


@require_safe
def chapter_resources(request: HttpRequest, url_path: str) -> HttpResponse:
    """The chapter's library, newest first, a page at a time; `?tag=` narrows it."""
    context = section_context(request, url_path, "resources")
    chapter: Chapter = context["chapter"]
    members_view = _members_view(request, chapter)
    tag = request.GET.get("tag", "").strip().casefold()[:100]
    rows = selectors.resources_in(chapter, members_view=members_view, tag=tag)
    context.update({
        "page_obj": Paginator(rows, RESOURCES_PER_PAGE).get_page(request.GET.get("page")),
        "tags": selectors.tags_in(chapter, members_view=members_view),
        "tag": tag,
        "may_add": viewer_of(request).can("resources.add_resource", chapter),
        "lessons": selectors.chapter_lessons(chapter, CHAPTER_LESSONS_SHOWN),
    })
    return render(request, "resources/chapter.html", context)


@require_safe
def detail(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    context = section_context(request, url_path, "resources")
    resource = access_resource(request, context["chapter"], public_id)
    context["resource"] = resource
    context["may_remove"] = viewer_of(request).can("resources.remove_resource", resource)
    return render(request, "resources/detail.html", context)


@require_safe
def download(request: HttpRequest, url_path: str,
             public_id: str) -> HttpResponse | FileResponse:
    """The file, to those who may see the resource: always as an attachment, with the
    type found from its content and nosniff, so a browser never runs it as a page."""
    context = section_context(request, url_path, "resources")
    resource = access_resource(request, context["chapter"], public_id)
    if not resource.file:
        return render(request, "resources/detail.html", {**context, "resource": resource},
                      status=404)
    response = FileResponse(resource.file.open("rb"), as_attachment=True,
                            filename=resource.filename, content_type=resource.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, url_path: str) -> HttpResponse:
    context = section_context(request, url_path, "resources")
    chapter: Chapter = context["chapter"]
    if not viewer_of(request).can("resources.add_resource", chapter):
        raise PermissionDenied(_("Only members of this chapter can add to its library."))
    author = member_required(request)
    max_bytes = settings.RESOURCE_FILE_MAX_BYTES
    status = 200
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, max_bytes=max_bytes)

        def run() -> Any:
            upload = form.cleaned_data["file"]
            return services.add_resource(
                chapter=chapter, author=author, title=form.cleaned_data["title"],
                description=form.cleaned_data["description"], url=form.cleaned_data["url"],
                upload=upload, upload_name=upload.name if upload else "",
                upload_size=upload.size if upload else None,
                visibility=form.cleaned_data["visibility"], tags=form.cleaned_data["tags"],
            )

        done = submit_form(request, form, run, success=_("Added to the library."),
                           then=lambda resource: resource.get_absolute_url())
        if done is not None:
            return done
        status = 400
    else:
        form = ResourceForm(max_bytes=max_bytes)
    context["form"] = form
    return render(request, "resources/add.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, url_path: str, public_id: str) -> HttpResponse:
    context = section_context(request, url_path, "resources")
    chapter: Chapter = context["chapter"]
    resource = access_resource(
        request, chapter, public_id, "resources.remove_resource",
        denied=_("Only this chapter's facilitators can remove resources."))
    by = member_required(request)
    status = 200
    if request.method == "POST":
        form = RemoveForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.remove_resource(resource=resource, by=by,
                                             reason=form.cleaned_data["reason"]),
            success=_("The resource is removed."),
            then=reverse("resources:chapter", kwargs={"url_path": chapter.url_path}))
        if done is not None:
            return done
        status = 400
    else:
        form = RemoveForm()
    context.update({"form": form, "resource": resource})
    return render(request, "resources/remove.html", context, status=status)


# -- Lessons ----------------------------------------------------------------------------------

@require_safe
def lessons(request: HttpRequest) -> HttpResponse:
    """Every chapter's lessons, newest first, by topic and by place (a chapter and every
    chapter below it), a page at a time. A filter that is not a choice is ignored."""
    places = [chapter for chapter in selectors.lesson_places() if chapter.url_path]
    form = LessonFilterForm(request.GET or None, places=[
        (chapter.url_path, "\u2003" * (chapter.depth - 2) + chapter.display_name())
        for chapter in places
    ])
    topic, place = "", None
    if form.is_valid():
        topic = form.cleaned_data["topic"]
        place = next((c for c in places if c.url_path == form.cleaned_data["place"]), None)
    rows = selectors.lessons(viewer=viewer_of(request).active_member, topic=topic, place=place)
    return render(request, "resources/lessons.html", {
        "form": form, "topic": topic, "place": place,
        "page_obj": Paginator(rows, LESSONS_PER_PAGE).get_page(request.GET.get("page")),
    })


@require_safe
def lesson(request: HttpRequest, public_id: str) -> HttpResponse:
    from chapterhouse.discussions.selectors import thread_about

    found = access_lesson(request, public_id)
    viewer = viewer_of(request)
    member = viewer.active_member
    may_mark = viewer.can("resources.mark_helpful", found)
    return render(request, "resources/lesson.html", {
        "lesson": found,
        "thread": thread_about(found, kind="comments"),
        "helped_by": selectors.helped_by(found),
        "may_mark": may_mark,
        "already_helped": may_mark and member is not None
        and selectors.has_helped(found, member.home_chapter),
    })


@login_required
@require_POST
def mark_helpful(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access_lesson(
        request, public_id, "resources.mark_helpful",
        denied=_("Lessons are marked helpful by other chapters, not by their own."))
    member = member_required(request)
    return form_action(
        request, lambda: services.mark_helpful(lesson=found, member=member),
        success=_("Thank you: the lesson's chapter is told that it helped yours."),
        then=found.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def write_lesson(request: HttpRequest, url_path: str) -> HttpResponse:
    context = section_context(request, url_path, "resources")
    chapter: Chapter = context["chapter"]
    if not viewer_of(request).can("resources.write_lesson", chapter):
        raise PermissionDenied(_("Only members of this chapter can write its lessons."))
    author = member_required(request)
    status = 200
    if request.method == "POST":
        form = LessonForm(request.POST)
        done = submit_form(
            request, form,
            lambda: services.write_lesson(
                chapter=chapter, author=author, title=form.cleaned_data["title"],
                body=form.cleaned_data["body"], topic=form.cleaned_data["topic"]),
            success=_("Your lesson is shared with every chapter."),
            then=lambda written: written.get_absolute_url())
        if done is not None:
            return done
        status = 400
    else:
        form = LessonForm()
    context["form"] = form
    return render(request, "resources/write_lesson.html", context, status=status)
