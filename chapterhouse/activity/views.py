"""The activity's pages: the member's feed, the International "what chapters are
doing", the Atom feed of a chapter, following, and the panels other pages show
(the follow buttons, the home page's feed). Interfaces only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from chapterhouse.chapters.access import access_chapter, url_path_of
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.interface import form_action, member_required, require, viewer_of
from chapterhouse.members.models import Member
from chapterhouse.projects.models import Group

from . import presenters, selectors, services
from .access import access_follow, access_group
from .forms import PulseFilterForm
from .models import PULSE_KINDS, Activity

PER_PAGE = 30
ON_HOME = 10
IN_ATOM = 50


# -- The member's feed --------------------------------------------------------------


@login_required
@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    """The member's feed, a page at a time, newest first, with the line where what is
    new since their last visit ends."""
    member = member_required(request)
    page_obj = Paginator(selectors.feed_for(member), PER_PAGE).get_page(request.GET.get("page"))
    since = services.mark_feed_seen(member=member)
    return render(request, "activity/feed.html", {
        "page_obj": page_obj, "items": presenters.items(list(page_obj), since=since),
        "since": since,
    })


def home_panel_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    """The newest of the member's feed on their home page (from the cache when nothing
    happened since: selectors.newest_in_feed), and when they looked last
    (services.mark_feed_seen)."""
    activities = selectors.newest_in_feed(member, ON_HOME)
    since = services.mark_feed_seen(member=member)
    return {"items": presenters.items(activities, since=since), "since": since}


# -- What chapters are doing --------------------------------------------------------


@require_safe
def pulse(request: HttpRequest) -> HttpResponse:
    """Decisions made, events held and lessons shared across the tree (or a place and
    below), that the viewer may see; 400 for an unknown kind, 404 for an unknown place."""
    filters = PulseFilterForm(request.GET)
    if not filters.is_valid():
        return HttpResponseBadRequest(render_to_string("activity/pulse.html", {
            "filters": filters, "items": [], "page_obj": None}, request=request))
    place_text = filters.cleaned_data["place"].strip()
    place = access_chapter(request, url_path_of(place_text)).chapter if place_text else None
    kind = filters.cleaned_data["kind"]
    kinds = [kind] if kind else [str(k) for k in PULSE_KINDS]
    viewer = viewer_of(request).active_member
    page_obj = Paginator(selectors.pulse(viewer=viewer, place=place, kinds=kinds),
                         PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "activity/pulse.html", {
        "filters": filters, "place": place, "page_obj": page_obj,
        "items": presenters.items(list(page_obj)),
    })


# -- A chapter's Atom feed ----------------------------------------------------------


class ChapterActivityFeed(Feed):  # type: ignore[type-arg]
    """A chapter's public activity as Atom, with absolute addresses. Made per request."""

    feed_type = Atom1Feed
    item_guid_is_permalink = False

    def __init__(self, request: HttpRequest, chapter: Chapter) -> None:
        super().__init__()
        self.request = request
        self.chapter = chapter

    def _absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def title(self) -> str:
        return _("Activity of %(chapter)s") % {"chapter": self.chapter.display_name()}

    def link(self) -> str:
        return self._absolute(self.chapter.get_absolute_url())

    def feed_url(self) -> str:
        return self._absolute(reverse("activity:chapter_atom",
                                      kwargs={"url_path": self.chapter.url_path}))

    def feed_guid(self) -> str:
        return self.feed_url()

    def items(self) -> list[Activity]:
        return selectors.chapter_activity(self.chapter, limit=IN_ATOM)

    def item_title(self, item: Activity) -> str:
        return presenters.line(item)

    def item_description(self, item: Activity) -> str:
        return presenters.line(item)

    def item_link(self, item: Activity) -> str:
        return self._absolute(str(item.params.get("url") or self.chapter.get_absolute_url()))

    def item_guid(self, item: Activity) -> str:
        return f"{self.feed_url()}#{item.kind}-{item.pk}"

    def item_pubdate(self, item: Activity) -> Any:
        return item.happened_at


@require_safe
def chapter_atom(request: HttpRequest, url_path: str) -> HttpResponse:
    chapter = access_chapter(request, url_path).chapter
    return ChapterActivityFeed(request, chapter)(request)


# -- Following ----------------------------------------------------------------------


def chapter_panel_context(request: HttpRequest, found: ChapterChain) -> dict[str, Any]:
    """The follow panel of the chapter page: whether the viewer may follow the chapter
    (a member who does not belong to it). Whether they follow it is their own part of
    the page (`follow_chapter_button`), filled in for each of them."""
    member = viewer_of(request).active_member
    return {"may_follow": member is not None and not found.viewer_belongs,
            "chapter": found.chapter}


def follow_chapter_button(request: HttpRequest, args: Mapping[str, Any]) -> str:
    """The chapter page's follow or unfollow button for the member of the request (a
    hole of lib.pagecache; args: the chapter's `chapter` id and `url_path`). No query:
    the member's follows come from the cache (the page has a budget of 8 queries)."""
    member = viewer_of(request).active_member
    if member is None:
        return ""
    follow = selectors.followed_chapters(member).get(int(args["chapter"]))
    return render_to_string("activity/_follow_chapter_button.html",
                            {"follow": follow, "url_path": args["url_path"]}, request=request)


def group_panel_context(request: HttpRequest, group: Group) -> dict[str, Any]:
    member = viewer_of(request).active_member
    if member is None:
        return {"shown": False}
    return {"shown": True, "group": group, "follow": selectors.follow_of(member, group=group)}


@login_required
@require_POST
def follow_chapter(request: HttpRequest, url_path: str) -> HttpResponse:
    chapter = access_chapter(request, url_path).chapter
    require(request, "activity.follow_chapter", chapter,
            _("You belong to this chapter: its activity is already in your feed."))
    member = member_required(request)
    return form_action(request, lambda: services.follow(member=member, chapter=chapter),
                       success=_("You follow %(chapter)s: its activity is in your feed.")
                       % {"chapter": chapter.display_name()},
                       then=chapter.get_absolute_url())


@login_required
@require_POST
def follow_group(request: HttpRequest, public_id: str) -> HttpResponse:
    group = access_group(request, public_id, "activity.follow_group",
                         denied=_("Only members can follow a group."))
    member = member_required(request)
    return form_action(request, lambda: services.follow(member=member, group=group),
                       success=_("You follow %(group)s: its activity is in your feed.")
                       % {"group": group.name},
                       then=group.get_absolute_url())


@login_required
@require_POST
def unfollow(request: HttpRequest, public_id: str) -> HttpResponse:
    follow = access_follow(request, public_id)
    member = member_required(request)
    target = follow.chapter or (follow.group.chapter if follow.group else None)
    then = (follow.group.get_absolute_url() if follow.group is not None
            else target.get_absolute_url() if target is not None
            else reverse("activity:following"))
    if request.POST.get("next") == "following":
        then = reverse("activity:following")
    return form_action(request, lambda: services.unfollow(member=member, follow=follow),
                       success=_("You no longer follow it."), then=then)


@login_required
@require_safe
def following(request: HttpRequest) -> HttpResponse:
    """What the member follows (one query)."""
    member = member_required(request)
    return render(request, "activity/following.html",
                  {"follows": list(selectors.follows_of(member))})


