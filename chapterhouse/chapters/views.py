"""Chapter sub-sites, the breadcrumb, "my chapters", roles and the world map."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from chapterhouse.lib import pagecache
from chapterhouse.lib.interface import viewer_of
from chapterhouse.members.rules import member_of

from . import selectors, services
from .forms import ChapterDescriptionForm
from .models import Chapter, ChapterLevel, ChapterRole

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

MEMBERS_PER_PAGE = 50
CHAPTERS_PER_PAGE = 100
# How long a rendered breadcrumb is reused: member counts (which order the siblings)
# and names may be this old; a new chapter shows at once (see _page_context).
BREADCRUMB_CACHE_SECONDS = 60

# The chapter's navigation. Later issues fill a section by adding a URL named
# here that takes `url_path`; until it exists the section reads "coming soon".
SECTIONS: list[tuple[str, Promise, str]] = [
    ("overview", gettext_lazy("Overview"), "chapters:detail"),
    ("members", gettext_lazy("Members"), "chapters:members"),
    ("decisions", gettext_lazy("Decisions"), "decisions:chapter"),
    ("forums", gettext_lazy("Forums"), "forums:chapter"),
    ("events", gettext_lazy("Events"), "events:chapter"),
    ("blog", gettext_lazy("Blog"), "blogs:chapter"),
    ("projects", gettext_lazy("Projects"), "projects:chapter"),
    ("resources", gettext_lazy("Resources"), "resources:chapter"),
    ("mutualaid", gettext_lazy("Mutual aid"), "mutualaid:chapter"),
    ("dues", gettext_lazy("Dues"), "dues:chapter"),
]


def _viewer(request: HttpRequest) -> Member | None:
    return member_of(request.user)


def _chain_or_404(url_path: str, viewer: Member | None) -> selectors.ChapterChain:
    home_chapter_id = viewer.home_chapter_id if viewer is not None else None
    found = selectors.chapter_chain(url_path, home_chapter_id=home_chapter_id)
    if found is None and url_path == "":
        # The root is created with the first member; on a fresh install /c/ must
        # still work. Creating the singleton root is idempotent and happens once.
        services.get_international()
        found = selectors.chapter_chain(url_path, home_chapter_id=home_chapter_id)
    if found is None:
        raise Http404(_("There is no such chapter."))
    return found


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
    routed = _routed_sections(get_urlconf())
    return [
        {
            "key": key,
            "label": label,
            "url": reverse(url_name, kwargs={"url_path": chapter.url_path})
            if url_name in routed
            else None,
            "active": key == active,
        }
        for key, label, url_name in SECTIONS
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
    return sorted(links, key=lambda link: link.name.casefold())


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


def _page_context(found: selectors.ChapterChain, active: str) -> dict[str, Any]:
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


def _subchapters(chapter: Chapter) -> dict[str, Any]:
    """The chapter's largest sub-chapters as links, and whether it has more (one query)."""
    shown = selectors.SUBCHAPTERS_SHOWN
    children = list(selectors.children_of(chapter).only(*selectors.LINK_FIELDS)[: shown + 1])
    return {"links": chapter_links(children[:shown]), "more": len(children) > shown}


@require_safe
@pagecache.cache_for_anonymous
def detail(request: HttpRequest, url_path: str) -> HttpResponse:
    viewer = _viewer(request)
    found = _chain_or_404(url_path, viewer)
    chapter = found.chapter
    context = _page_context(found, "overview")
    # Tells the viewer whether they facilitate, so the edit rule needs no query.
    facilitator_roles = selectors.facilitators_of(chapter, viewer=viewer_of(request))
    context.update(
        facilitators=[role.member for role in facilitator_roles],
        # The card is served from the cache like the breadcrumb (detail.html), so the
        # query and the links are made only when it renders afresh.
        subchapters=SimpleLazyObject(lambda: _subchapters(chapter)),
        can_edit=viewer_of(request).can("chapters.edit_chapter", chapter),
    )
    return render(request, "chapters/detail.html", context)


def international(request: HttpRequest) -> HttpResponse:
    return detail(request, "")


@require_safe
def members(request: HttpRequest, url_path: str) -> HttpResponse:
    viewer = _viewer(request)
    found = _chain_or_404(url_path, viewer)
    context = _page_context(found, "members")
    listed = selectors.members_listed_for(found.chapter, viewer)
    context["page_obj"] = Paginator(listed, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "chapters/members.html", context)


@require_safe
def subchapters(request: HttpRequest, url_path: str) -> HttpResponse:
    viewer = _viewer(request)
    found = _chain_or_404(url_path, viewer)
    context = _page_context(found, "overview")
    rows = selectors.children_of(found.chapter)
    context["page_obj"] = Paginator(rows, CHAPTERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "chapters/subchapters.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, url_path: str) -> HttpResponse:
    viewer = _viewer(request)
    found = _chain_or_404(url_path, viewer)
    chapter = found.chapter
    if not viewer_of(request).can("chapters.edit_chapter", chapter):
        raise PermissionDenied(_("Only this chapter's facilitators can edit it."))
    if request.method == "POST":
        form = ChapterDescriptionForm(request.POST)
        if form.is_valid():
            services.update_chapter(
                chapter=chapter, description=form.cleaned_data["description"], actor=viewer
            )
            messages.success(request, _("The chapter's description was saved."))
            return redirect(chapter.get_absolute_url())
    else:
        form = ChapterDescriptionForm(initial={"description": chapter.description})
    context = _page_context(found, "overview")
    context["form"] = form
    return render(request, "chapters/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The member's home chapter and all its ancestors, with counts and their roles."""
    viewer = _viewer(request)
    if viewer is None:
        # Signed in without a profile (e.g. a site administrator): no chapters.
        return render(request, "chapters/mine.html", {"rows": [], "viewer": None})
    chapters = selectors.chapters_of(viewer)
    roles: dict[int, list[ChapterRole]] = {}
    for role in ChapterRole.objects.filter(member=viewer, chapter__in=chapters):
        roles.setdefault(role.chapter_id, []).append(role)
    rows = [{"chapter": chapter, "roles": roles.get(chapter.pk, [])} for chapter in chapters]
    return render(request, "chapters/mine.html", {"rows": rows, "viewer": viewer})


# -- Roles and invitations (/me/roles/) ---------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def my_roles(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    if request.method == "POST":
        if viewer is None:
            raise Http404
        return _answer_role(request, viewer)
    roles = list(selectors.roles_of(viewer)) if viewer is not None else []
    return render(
        request,
        "chapters/roles.html",
        {
            "invitations": [role for role in roles if not role.is_active],
            "active_roles": [role for role in roles if role.is_active],
        },
    )


def _answer_role(request: HttpRequest, viewer: Member) -> HttpResponse:
    action = request.POST.get("action")
    if action not in {"accept", "decline"}:
        return HttpResponseBadRequest(_("Choose accept or decline."))
    # Looked up among the viewer's own roles only: anyone else's is a 404.
    chapter_role = get_object_or_404(
        ChapterRole.objects.select_related("chapter"),
        member=viewer,
        chapter__url_path=request.POST.get("chapter", ""),
        role=request.POST.get("role", ""),
    )
    if not viewer_of(request).can(f"chapters.{action}_role", chapter_role):
        raise PermissionDenied(_("This role can no longer be declined here."))
    name = chapter_role.chapter.display_name()
    if action == "accept":
        services.accept_role(chapter_role=chapter_role)
        messages.success(
            request, _("You are now a facilitator of %(chapter)s.") % {"chapter": name}
        )
    else:
        services.decline_role(chapter_role=chapter_role)
        messages.success(
            request, _("You declined the invitation to facilitate %(chapter)s.") % {"chapter": name}
        )
    return redirect("roles:mine")


# -- The world map --------------------------------------------------------------------------

@require_safe
def world_map(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "chapters/map.html",
        {
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "levels": ChapterLevel.choices,
        },
    )


@require_safe
def geojson(request: HttpRequest) -> HttpResponse:
    """Every chapter as GeoJSON; cached server-side and revalidated by ETag."""
    document = selectors.chapters_geojson_document()
    response = get_conditional_response(request, etag=document.etag)
    if response is None:
        gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(
            document.gzipped if gzip_ok else document.body,
            content_type="application/geo+json",
        )
        if gzip_ok:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = document.etag
    response["Cache-Control"] = f"max-age={selectors.GEOJSON_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Encoding", "Accept-Language", "Cookie"])
    return response


def section_context(request: HttpRequest, url_path: str, section: str) -> dict[str, Any]:
    """The chapter header, breadcrumb and navigation for a chapter section page
    (decisions, forums…) served by another app: 404 for an unknown chapter."""
    viewer = _viewer(request)
    found = _chain_or_404(url_path, viewer)
    if viewer is not None and found.home is not None:
        viewer.home_chapter = found.home  # the chain holds it: the rules need no query
    return _page_context(found, section)
