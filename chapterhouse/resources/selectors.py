"""Reading a chapter's library and the organisation's lessons."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import section_shown_to

from .models import Lesson, LessonHelp, Resource, Tag, Visibility

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def resources_in(chapter: Chapter, *, members_view: bool, tag: str = "") -> QuerySet[Resource]:
    """The chapter's resources a reader sees, newest first: all of them for its members
    (`members_view`), the public ones for anyone else; those tagged `tag` if given.
    With authors and tags: two queries whatever their number."""
    rows = Resource.objects.filter(chapter=chapter)
    if not members_view:
        rows = rows.filter(visibility=Visibility.PUBLIC)
    if tag:
        rows = rows.filter(tags__name=tag)
    return (
        rows.select_related("author", "chapter")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .newest_first()
    )


def tags_in(chapter: Chapter, *, members_view: bool) -> list[str]:
    """The tags of the chapter's resources the reader sees, by name (one query)."""
    resources = Resource.objects.filter(chapter=chapter)
    if not members_view:
        resources = resources.filter(visibility=Visibility.PUBLIC)
    return list(
        Tag.objects.filter(resources__in=resources).order_by("name")
        .values_list("name", flat=True).distinct()
    )


def get_resource(chapter: Chapter, public_id: uuid.UUID) -> Resource | None:
    resource = (
        Resource.objects.select_related("author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .filter(chapter=chapter, public_id=public_id).first()
    )
    if resource is not None:
        resource.chapter = chapter  # the page's chain holds it (with the viewer's home)
    return resource


def lessons(*, viewer: Member | None, topic: str = "",
            place: Chapter | None = None) -> QuerySet[Lesson]:
    """Every chapter's lessons that `viewer` (None: an outsider) may see, newest first,
    of `topic` and from `place` (the chapter and every chapter below it) when given;
    with chapter and author (one query). A chapter whose resources section is turned off
    or kept to its members shows its lessons only as that section would."""
    rows = Lesson.objects.filter(section_shown_to("resources", viewer))
    if topic:
        rows = rows.filter(topic=topic)
    if place is not None:
        rows = rows.filter(chapter__in=Chapter.objects.within(place))
    return rows.select_related("chapter", "author").newest_first()


def lesson_places() -> list[Chapter]:
    """The chapters to filter lessons by: those with lessons and every chapter above
    them, in tree order (two queries)."""
    paths = set(Lesson.objects.values_list("chapter__path", flat=True).distinct())
    if not paths:
        return []
    step = Chapter.steplen
    wanted = {path[:end] for path in paths for end in range(step, len(path) + 1, step)}
    return list(Chapter.objects.filter(path__in=wanted).order_by("path"))


def get_lesson(public_id: uuid.UUID) -> Lesson | None:
    return Lesson.objects.select_related("chapter", "author").filter(public_id=public_id).first()


def has_helped(lesson: Lesson, chapter: Chapter) -> bool:
    return LessonHelp.objects.filter(lesson=lesson, chapter=chapter).exists()


def helped_by(lesson: Lesson) -> list[Chapter]:
    """The chapters that said the lesson helped them, first first (one query)."""
    return [help.chapter for help in
            LessonHelp.objects.filter(lesson=lesson).select_related("chapter").order_by("pk")]


def chapter_lessons(chapter: Chapter, limit: int) -> list[Lesson]:
    """The chapter's own newest lessons, for its library page (one query)."""
    return list(Lesson.objects.filter(chapter=chapter).select_related("author")
                .newest_first()[:limit])


def account_export(member: Member) -> dict[str, Any]:
    """The resources and lessons the member wrote, for their data export (three
    queries)."""
    return {
        "resources": [
            {
                "id": str(resource.public_id),
                "chapter": resource.chapter.url_path,
                "title": resource.title,
                "description": resource.description,
                "url": resource.url,
                "file": resource.filename,
                "size": resource.size,
                "visibility": resource.visibility,
                "tags": [tag.name for tag in resource.tags.all()],
                "created_at": resource.created_at.isoformat(),
            }
            for resource in Resource.objects.filter(author=member)
            .select_related("chapter").prefetch_related("tags").order_by("created_at", "pk")
        ],
        "lessons": [
            {
                "id": str(lesson.public_id),
                "chapter": lesson.chapter.url_path,
                "title": lesson.title,
                "body": lesson.body,
                "topic": lesson.topic,
                "helped_count": lesson.helped_count,
                "created_at": lesson.created_at.isoformat(),
            }
            for lesson in Lesson.objects.filter(author=member)
            .select_related("chapter").order_by("created_at", "pk")
        ],
    }


def get_resource_by_id(public_id: uuid.UUID) -> Resource | None:
    """The resource `public_id`, whatever its chapter (the API's address)."""
    return (
        Resource.objects.select_related("author", "chapter")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .filter(public_id=public_id).first()
    )
