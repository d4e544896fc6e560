"""What the decision pages share: the scope's crumbs and the sub-chapter suggestions."""

from __future__ import annotations

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import chapters_named_within

SUBCHAPTER_SUGGESTIONS = 200


def scope_chain(chapter: Chapter) -> list[Chapter]:
    """The scope with its ancestors, root first (one query), for the crumbs."""
    return list(Chapter.objects.containing(chapter).order_by("depth"))


def subchapter_suggestions(scope: Chapter) -> list[Chapter]:
    """The chapters offered to a browser without JavaScript (a datalist)."""
    return chapters_named_within(scope, "", limit=SUBCHAPTER_SUGGESTIONS)

