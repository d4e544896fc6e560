"""What every chapter page shows around its content: the header, the breadcrumb
(International › Country › … with each level's siblings) and the chapter's
navigation between its sections. Other apps' chapter sections (decisions, forums…)
get it from `section_context`."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _

from chapterhouse.lib.collation import sorted_by_name
from chapterhouse.lib.interface import viewer_of

from . import sections, selectors
from .access import access_chapter
from .models import Chapter
from .sections import SECTIONS

# How long a rendered breadcrumb is reused: member counts (which order the siblings)
# and names may be this old; a new chapter shows at once (see page_context).
BREADCRUMB_CACHE_SECONDS = 60



@functools.lru_cache(maxsize=4)
def _routed_sections(urlconf: str | None) -> frozenset[str]:
    """The URL names in SECTIONS that the URLconf has: asked once, as a reverse()
    that fails is slow and the navigation is on every chapter page."""
    routed = set()
    for _key, _label, url_name in SECTIONS:
        try:
            reverse(url_name, urlconf=urlconf, kwargs={"url_path": ""})
        except NoReverseMatch:
            continue
        routed.add(url_name)
    return frozenset(routed)


def chapter_nav(chapter: Chapter, active: str) -> list[dict[str, Any]]:
    """The sections the chapter has (those with a page), in SECTIONS' order."""
    routed = _routed_sections(get_urlconf())
    return [
        {
            "key": key,
            "label": label,
            "url": reverse(url_name, kwargs={"url_path": chapter.url_path}),
            "active": key == active,
        }
        for key, label, url_name in SECTIONS
        if url_name in routed and sections.shown(chapter, key)
    ]


@dataclass(frozen=True)
class ChapterLink:
    """A chapter as the breadcrumb and the sub-chapter lists show it."""

    pk: int
    url_path: str
    name: str  # display_name(), in the active language
    url: str  # get_absolute_url()
    member_count: int


def chapter_links(chapters: Iterable[Chapter]) -> list[ChapterLink]:
    """Links to `chapters`, with one reverse() in all rather than one each (a page
    shows hundreds; reverse() is the slowest part of rendering them)."""
    root = reverse("chapters:international")
    return [
        ChapterLink(
            pk=chapter.pk,
            url_path=chapter.url_path,
            name=chapter.display_name(),
            # What reverse("chapters:detail") returns: the path quoted as it quotes it.
            url=root + quote(f"{chapter.url_path}/", safe=RFC3986_SUBDELIMS + "/~:@")
            if chapter.url_path
            else root,
            member_count=chapter.member_count,
        )
        for chapter in chapters
    ]


@dataclass
class Crumb:
    chapter: Chapter
    link: ChapterLink
    siblings: list[ChapterLink]
    more_url: str | None
    is_current: bool


def _by_name(links: list[ChapterLink]) -> list[ChapterLink]:
    return sorted_by_name(links, lambda link: link.name)


def breadcrumb(chain: list[Chapter], children: dict[int, selectors.Children]) -> dict[str, Any]:
    """International › Country › … each with its siblings, and the current chapter's
    children, from the chain and `children_around()` (no further queries)."""
    crumbs = []
    for index, (chapter, link) in enumerate(zip(chain, chapter_links(chain), strict=True)):
        siblings: list[ChapterLink] = []
        more_url = None
        if index > 0:
            parent = chain[index - 1]
            level = children[parent.pk]
            siblings = chapter_links(level.top)
            if all(sibling.pk != chapter.pk for sibling in siblings):
                siblings.append(link)  # the current one, even if not among the top
            siblings = _by_name(siblings)
            if level.more:
                more_url = reverse("chapters:subchapters", kwargs={"url_path": parent.url_path})
        crumbs.append(
            Crumb(chapter=chapter, link=link, siblings=siblings, more_url=more_url,
                  is_current=index == len(chain) - 1)
        )
    current = chain[-1]
    below = children[current.pk]
    return {
        "crumbs": crumbs,
        "children": _by_name(chapter_links(below.top)),
        "children_more_url": (
            reverse("chapters:subchapters", kwargs={"url_path": current.url_path})
            if below.more
            else None
        ),
    }


def page_context(found: selectors.ChapterChain, active: str) -> dict[str, Any]:
    """What every chapter page shows: header, breadcrumb, navigation."""
    chain = found.chain
    return {
        "chapter": found.chapter,
        "chain": chain,
        # chapters/_breadcrumb.html is served from the cache, so the breadcrumb is
        # computed (one query and hundreds of links) only when it renders afresh.
        "breadcrumb": SimpleLazyObject(
            lambda: breadcrumb(chain, selectors.children_around(chain))
        ),
        "breadcrumb_cache": {
            "seconds": BREADCRUMB_CACHE_SECONDS,
            # Bumped whenever a chapter is created: a new chapter shows at once.
            "version": selectors.geojson_version(),
        },
        "nav": chapter_nav(found.chapter, active),
        "viewer_belongs": found.viewer_belongs,
        "viewer_home": found.home,
    }


def subchapter_links(chapter: Chapter) -> dict[str, Any]:
    """The chapter's largest sub-chapters as links, and whether it has more (one query)."""
    shown = selectors.SUBCHAPTERS_SHOWN
    children = selectors.children_list(chapter)[: shown + 1]
    return {"links": chapter_links(children[:shown]), "more": len(children) > shown}


def section_context(request: HttpRequest, url_path: str, section: str) -> dict[str, Any]:
    """The chapter header, breadcrumb and navigation for a chapter section page
    (decisions, forums…) served by another app: 404 for an unknown chapter."""
    found = access_chapter(request, url_path)
    member = viewer_of(request).member
    if member is not None and found.home is not None:
        member.home_chapter = found.home  # the chain holds it: the rules need no query
    if not sections.shown(found.chapter, section):
        raise Http404(_("%(chapter)s does not have this section.")
                      % {"chapter": found.chapter.display_name()})
    if not sections.may_view(found.chapter, section, belongs=found.viewer_belongs):
        raise PermissionDenied(
            _("Only the members of %(chapter)s see this section: %(section)s.")
            % {"chapter": found.chapter.display_name(),
               "section": sections.section_label(section)})
    return page_context(found, section)
