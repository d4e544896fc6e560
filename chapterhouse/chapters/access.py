"""Fetch a chapter or a role for a request, with permission (lib.interface.access).

Used by the chapter pages, the chapter section pages of other apps
(chapters.navigation.section_context) and the API: 404 when there is no such
chapter (or role of the viewer's), 403 when the viewer may see it but not do this.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from chapterhouse.lib.interface import access, viewer_of

from . import sections, selectors, services
from .models import ChapterRole

# A chapter's address where the empty url_path cannot serve: its url_path, or
# `international` for the root (defined with the selectors that read addresses).
INTERNATIONAL_SEGMENT = selectors.INTERNATIONAL_SEGMENT


def chapter_lookup(url_path: str) -> str:
    """The chapter's address: its url_path, `international` for the root."""
    return url_path or INTERNATIONAL_SEGMENT


def url_path_of(lookup: str) -> str:
    """The url_path a chapter address (`chapter_lookup`) stands for."""
    url_path = lookup.strip("/")
    return "" if url_path == INTERNATIONAL_SEGMENT else url_path


def access_chapter(
    request: Any, url_path: str, permission: str | None = None, *, denied: str | None = None
) -> selectors.ChapterChain:
    """The chapter at `url_path` with its ancestors and the viewer's home chapter (one
    query, once per request and address: the viewer's memo keeps it); `.chapter` is the
    chapter itself. Chapters are public: anyone sees them."""
    viewer = viewer_of(request)
    member = viewer.member
    home_chapter_id = member.home_chapter_id if member is not None else None
    # A page that checks a permission here and then builds its section's header
    # (navigation.section_context) asks twice: the second is the first's answer.
    key = ("chapters.chain", url_path, home_chapter_id)
    found = viewer.recall(
        key, lambda: selectors.chapter_chain(url_path, home_chapter_id=home_chapter_id)
    )
    if found is None and url_path == "":
        # The root is created with the first member; on a fresh install /c/ must
        # still work. Creating the singleton root is idempotent and happens once.
        services.get_international()
        found = selectors.chapter_chain(url_path, home_chapter_id=home_chapter_id)
        viewer.remember(key, found)
    if found is None:
        raise Http404(_("There is no such chapter."))
    if permission is not None:
        access(request, found.chapter, view=None, missing="", permission=permission,
               denied=denied)
    return found


def access_role(
    request: Any, url_path: str, role: str, permission: str | None = None, *,
    denied: str | None = None,
) -> ChapterRole:
    """The viewer's own `role` (or invitation) in the chapter at `url_path`, with its
    chapter; anyone else's, or none, is a 404."""
    member = viewer_of(request).member
    chapter_role = (
        ChapterRole.objects.select_related("chapter")
        .filter(member=member, chapter__url_path=url_path, role=role)
        .first()
        if member is not None
        else None
    )
    return access(
        request, chapter_role, view=None, missing="", permission=permission, denied=denied
    )


def access_section(request: Any, url_path: str, key: str) -> selectors.ChapterChain:
    """The chapter at `url_path` for the API's lists of its section `key`: 404 when
    there is no such chapter, when it does not show the section, or when it keeps the
    section to its members and the viewer is not one (an API list says nothing of what
    it may not show). The viewer's home chapter is set from the chain, so the rules ask
    no query for it."""
    found = access_chapter(request, url_path)
    member = viewer_of(request).member
    if member is not None and found.home is not None:
        member.home_chapter = found.home
    if not sections.may_view(found.chapter, key, belongs=found.viewer_belongs):
        raise Http404(_("%(chapter)s does not have this section.")
                      % {"chapter": found.chapter.display_name()})
    return found
