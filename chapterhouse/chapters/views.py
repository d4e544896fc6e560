"""Chapter sub-sites, "my chapters", roles and the world map. The header, breadcrumb
and navigation around every chapter page are in chapters.navigation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from chapterhouse.lib import pagecache
from chapterhouse.lib.autocomplete import Suggestion, query_of, render_suggestions
from chapterhouse.lib.interface import form_action, viewer_of

from . import memberships, panels, selectors, services
from .access import access_chapter, access_role, chapter_lookup, url_path_of
from .forms import ChapterDescriptionForm, MapSearchForm
from .models import ChapterLevel, ChapterRole
from .navigation import page_context, subchapter_links

CHAPTERS_PER_PAGE = 100


def page_variant(request: HttpRequest, url_path: str) -> set[str] | None:
    """What the chapter page shows this signed-in visitor apart from their personal
    parts (lib.pagecache): whether they belong to the chapter and facilitate it, and
    what their account may do anywhere. Every rule the page asks (editing, announcing,
    founding documents, moderation, following) depends on the visitor only through
    these. No query: the member and their home chapter come with the user, their
    chapters from the cache. None (a fresh page) for an account without a profile."""
    viewer = viewer_of(request)
    member = viewer.member
    if member is None:
        return None
    flags = {name for name, held in (("active", viewer.is_active), ("staff", viewer.is_staff),
                                      ("superuser", viewer.is_superuser)) if held}
    if selectors.within_url_path(member.home_chapter.url_path, url_path):
        flags.add("belongs")
    if url_path in selectors.facilitated_url_paths(member.pk):
        flags.add("facilitates")
    return flags


@require_safe
@pagecache.cache_page(variant=page_variant)
def detail(request: HttpRequest, url_path: str) -> HttpResponse:
    found = access_chapter(request, url_path)
    chapter = found.chapter
    context = page_context(found, "overview")
    viewer = viewer_of(request)
    # Tells the viewer whether they facilitate, so the edit rule needs no query.
    facilitator_roles = selectors.facilitators_of(chapter, viewer=viewer)
    variant = pagecache.variant_of(request)
    if variant and (("belongs" in variant) != found.viewer_belongs
                    or ("facilitates" in variant) != selectors.facilitates(viewer, chapter)):
        # The cached list of their chapters is out of date: this page is theirs alone.
        pagecache.keep_out(request)
    context.update(
        facilitators=[role.member for role in facilitator_roles],
        # The card is served from the cache like the breadcrumb (detail.html), so the
        # query and the links are made only when it renders afresh.
        subchapters=SimpleLazyObject(lambda: subchapter_links(chapter)),
        can_edit=viewer.can("chapters.edit_chapter", chapter),
        panels=panels.rendered_panels(request, found),
    )
    return render(request, "chapters/detail.html", context)


def international(request: HttpRequest) -> HttpResponse:
    return detail(request, "")


@require_safe
def subchapters(request: HttpRequest, url_path: str) -> HttpResponse:
    found = access_chapter(request, url_path)
    context = page_context(found, "overview")
    rows = selectors.children_list(found.chapter)
    context["page_obj"] = Paginator(rows, CHAPTERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "chapters/subchapters.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, url_path: str) -> HttpResponse:
    found = access_chapter(
        request, url_path, "chapters.edit_chapter",
        denied=_("Only this chapter's facilitators can edit it."),
    )
    chapter = found.chapter
    if request.method == "POST":
        form = ChapterDescriptionForm(request.POST)
        if form.is_valid():
            services.update_chapter(
                chapter=chapter, description=form.cleaned_data["description"],
                members_may_announce=form.cleaned_data["members_may_announce"],
                actor=viewer_of(request).member,
            )
            messages.success(request, _("The chapter's description was saved."))
            return redirect(chapter.get_absolute_url())
    else:
        form = ChapterDescriptionForm(initial={
            "description": chapter.description,
            "members_may_announce": chapter.members_may_announce,
        })
    context = page_context(found, "overview")
    context["form"] = form
    return render(request, "chapters/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """The member's home chapter and all its ancestors, with counts and their roles."""
    viewer = viewer_of(request).member
    if viewer is None:
        # Signed in without a profile (e.g. a site administrator): no chapters.
        return render(request, "chapters/mine.html", {"rows": [], "viewer": None})
    chapters = selectors.chapters_of(viewer)
    roles: dict[int, list[ChapterRole]] = {}
    for role in ChapterRole.objects.filter(member=viewer, chapter__in=chapters):
        roles.setdefault(role.chapter_id, []).append(role)
    rows = [{"chapter": chapter, "roles": roles.get(chapter.pk, [])} for chapter in chapters]
    return render(request, "chapters/mine.html", {
        "rows": rows, "viewer": viewer,
        # The groups the member belongs to beside the places (apps above: memberships).
        "other_memberships": memberships.rendered_memberships(request, viewer),
    })


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Chapter suggestions for the one autocomplete (lib.autocomplete): the chapter
    `?within=` (its url_path, `international` for the root) and those below it
    whose name contains `?q=`, each with its parents ("England, United Kingdom").
    The value is the chapter's address (its url_path, `international`); with
    `?value=name` it is the chapter's name with its parents ("London, England, United
    Kingdom", what chapters.selectors.chapters_called reads back) and the address
    is the code for the field's hidden companion."""
    scope = access_chapter(request, url_path_of(request.GET.get("within", ""))).chapter
    chapters = selectors.chapters_named_within(scope, query_of(request))
    lines = selectors.lineages(chapters)
    by_name = request.GET.get("value") == "name"
    suggestions = []
    for chapter in chapters:
        names = [link.display_name() for link in lines[chapter.pk]]
        address = chapter_lookup(chapter.url_path)
        suggestions.append(Suggestion(
            value=", ".join(names) if by_name else address, label=names[0],
            detail=", ".join(names[1:]), code=address if by_name else "",
        ))
    return render_suggestions(request, suggestions)


# -- Roles and invitations (/me/roles/) ---------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def my_roles(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request).member
    if request.method == "POST":
        if viewer is None:
            raise Http404
        return _answer_role(request)
    roles = list(selectors.roles_of(viewer)) if viewer is not None else []
    return render(
        request,
        "chapters/roles.html",
        {
            "invitations": [role for role in roles if not role.is_active],
            "active_roles": [role for role in roles if role.is_active],
        },
    )


def _answer_role(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action")
    if action not in {"accept", "decline"}:
        return HttpResponseBadRequest(_("Choose accept or decline."))
    # Looked up among the viewer's own roles only: anyone else's is a 404.
    chapter_role = access_role(
        request, request.POST.get("chapter", ""), request.POST.get("role", ""),
        f"chapters.{action}_role", denied=_("This role can no longer be declined here."),
    )
    name = chapter_role.chapter.display_name()
    if action == "accept":
        return form_action(
            request, lambda: services.accept_role(chapter_role=chapter_role),
            success=_("You are now a facilitator of %(chapter)s.") % {"chapter": name},
            then="roles:mine",
        )
    return form_action(
        request, lambda: services.decline_role(chapter_role=chapter_role),
        success=_("You declined the invitation to facilitate %(chapter)s.") % {"chapter": name},
        then="roles:mine",
    )


# -- The world map --------------------------------------------------------------------------

# Members of the circles drawn in the legend (map.js sizes them as it sizes markers).
LEGEND_SIZES = (1, 25, 100, 300)
# Chapters listed for a search without JavaScript.
MAP_SEARCH_RESULTS = 20


@require_safe
def world_map(request: HttpRequest) -> HttpResponse:
    """The map, its legend and search, the viewer's chapters, and the countries with
    their members as a list (what there is without JavaScript; map.js turns it into
    the chapters in view). `?q=` lists the chapters found, and the map fits them."""
    member = viewer_of(request).member
    query = query_of(request).strip()
    results = None
    if query:
        scope = access_chapter(request, "").chapter
        results = [
            chapter for chapter in
            selectors.chapters_named_within(scope, query, limit=MAP_SEARCH_RESULTS)
            if chapter.level != ChapterLevel.INTERNATIONAL
        ]
    my_chapters = (
        [c for c in selectors.chapters_of(member) if c.level != ChapterLevel.INTERNATIONAL]
        if member is not None else []
    )
    return render(
        request,
        "chapters/map.html",
        {
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "levels": [(value, label) for value, label in ChapterLevel.choices if value],
            "legend_sizes": LEGEND_SIZES,
            "form": MapSearchForm(initial={"q": query}),
            "query": query,
            "results": results,
            "my_chapters": my_chapters,
            "countries": selectors.countries_by_members(),
        },
    )


@require_safe
def geojson(request: HttpRequest) -> HttpResponse:
    """The map's chapters as GeoJSON: the countries, or with `?cell=level/x/y` one
    cell's regions, cities and neighbourhoods (selectors.MapCell; at most
    MAP_CELL_LIMIT, the most members first). Cached server-side and revalidated by
    ETag; a malformed cell is a 400."""
    part: selectors.MapPart = "first"
    if "cell" in request.GET:
        try:
            part = selectors.MapCell.parse(request.GET["cell"])
        except ValueError:
            return HttpResponseBadRequest(
                _("A map cell is written level/x/y: a level from %(first)s to %(last)s, "
                  "then a column and a row of that level's grid.")
                % {"first": selectors.MAP_CELL_LEVELS[0], "last": selectors.MAP_CELL_LEVELS[-1]},
                content_type="text/plain; charset=utf-8",
            )
    document = selectors.chapters_geojson_document(part=part)
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
