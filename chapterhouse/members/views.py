"""Home page, member profiles, and a member's own settings (/me/...)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.account.decorators import verified_email_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from chapterhouse.chapters.access import access_chapter, url_path_of
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.navigation import page_context
from chapterhouse.lib import reportables
from chapterhouse.lib.autocomplete import Suggestion, query_of, render_suggestions
from chapterhouse.lib.interface import form_action, viewer_of

from . import home_panels, profile_actions, selectors, services
from .access import access_member
from .forms import AvatarForm, DeleteAccountForm, LocationForm, ProfileForm
from .models import ApiToken, Member

MEMBERS_PER_PAGE = 50

View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    """Only for a signed-in member with a verified email address.

    Anonymous visitors go to the login page; a signed-in user whose address is
    not verified gets allauth's "verify your email" page; a user without a member
    profile (e.g. a staff account made with createsuperuser) is sent home.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = viewer_of(request).member
        if member is None:
            messages.info(
                request, _("This page is for members; your account has no member profile.")
            )
            return redirect("members:home")
        request.member = member  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    # Called rather than stacked on `wrapper`: allauth is untyped, and as a decorator
    # it would make `wrapper` untyped too.
    checked: View = verified_email_required(wrapper)
    return checked


def home(request: HttpRequest) -> HttpResponse:
    """A member's dashboard; for everyone else, what the organisation is."""
    member = viewer_of(request).member
    if member is None:
        # Read only: a GET must not create the International chapter.
        international = Chapter.objects.get_first_root_node()
        return render(request, "members/landing.html", {"international": international})
    chapters = selectors.chapters_of_cached(member)
    return render(request, "members/dashboard.html", {
        "member": member,
        "chapters": chapters,
        "home_chapter": chapters[-1] if chapters else member.home_chapter,
        "panels": home_panels.rendered_panels(request, member),
    })


def profile(request: HttpRequest, public_id: str) -> HttpResponse:
    """A member's profile as the viewer may see it. A signed-out visitor who follows a
    link to a members-only profile is asked to sign in (403, nothing of the member
    shown: not even the name); a hidden or unknown profile is not found (404)."""
    try:
        member = access_member(request, public_id)
    except Http404:
        if not request.user.is_authenticated and selectors.is_members_only_profile(public_id):
            back = urlencode({"next": request.get_full_path()})
            return render(request, "members/profile_for_members.html", {
                "login_url": f"{reverse('account_login')}?{back}",
                "signup_url": f"{reverse('account_signup')}?{back}",
            }, status=403)
        raise
    is_owner = viewer_of(request).can("members.edit_profile", member)
    chapters = selectors.chapters_shown_to(
        member, selectors.chapters_of(member), is_owner=is_owner
    )
    return render(request, "members/profile.html", {
        "member": member,
        "is_owner": is_owner,
        "chapters": chapters,
        "facilitates": selectors.active_role_chapter_ids(member),
        "show_bio": is_owner or member.show_bio,
        "show_languages": is_owner or member.show_languages,
        "show_presence": is_owner or member.show_presence,
        "spoken_languages": selectors.language_names(member.languages),
        "actions": profile_actions.rendered_actions(request, member),
    })


@require_safe
def chapter_members(request: HttpRequest, url_path: str) -> HttpResponse:
    """The members section of a chapter's sub-site: those who belong there and chose
    to be listed, as the viewer may see them."""
    found = access_chapter(request, url_path)
    context = page_context(found, "members")
    # A profile the facilitators hid is listed by its name alone (in the list's query).
    listed = selectors.members_listed_for(found.chapter, viewer_of(request).member).annotate(
        profile_hidden=reportables.hidden_now(Member))
    context["page_obj"] = Paginator(listed, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "members/chapter_members.html", context)


@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Member suggestions for the one autocomplete (lib.autocomplete), by name: the
    value is the name, the code the member's public id. With `?within=` (a chapter's
    url_path), members of that chapter as its members page lists them; else anyone
    listed whom members may see (selectors.members_named)."""
    query = query_of(request)
    viewer = viewer_of(request).member
    found: list[Member] = []
    if "within" in request.GET:
        scope = access_chapter(request, url_path_of(request.GET["within"])).chapter
        if len(query.strip()) >= 2:
            listed = selectors.members_listed_for(scope, viewer)
            found = list(
                listed.filter(display_name__icontains=query.strip())[
                    : selectors.SEARCH_SUGGESTIONS * 2
                ]
            )
    elif viewer is not None:
        found = selectors.members_named(query, near=viewer)
    suggestions = [
        Suggestion(value=person.display_name, label=person.display_name,
                   code=str(person.public_id))
        for person in found
    ]
    return render_suggestions(request, suggestions)


def _own(request: HttpRequest) -> Member:
    member: Member = request.member  # type: ignore[attr-defined]
    if not viewer_of(request).can("members.edit_profile", member):  # pragma: no cover - own
        raise PermissionDenied
    return member


@require_http_methods(["GET", "POST"])
@member_required
def edit_profile(request: HttpRequest) -> HttpResponse:
    member = _own(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.update_profile(member=member, **form.cleaned_data)
            messages.success(request, _("Your profile has been saved."))
            return redirect(member.get_absolute_url())
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(member))
    return render(request, "members/edit_profile.html", {"form": form, "member": member})


@require_http_methods(["GET", "POST"])
@member_required
def avatar(request: HttpRequest) -> HttpResponse:
    member = _own(request)
    form = AvatarForm()
    if request.method == "POST":
        if "remove" in request.POST:
            return form_action(
                request, lambda: services.set_avatar(member=member, content=None),
                success=_("Your picture has been removed."), then="members:avatar",
            )
        form = AvatarForm(request.POST, request.FILES)
        if form.is_valid():
            services.set_avatar(member=member, content=form.cleaned_data["avatar"])
            messages.success(request, _("Your new picture has been saved."))
            return redirect("members:avatar")
    return render(request, "members/avatar.html", {"form": form, "member": member})


@require_http_methods(["GET", "POST"])
@member_required
def location(request: HttpRequest) -> HttpResponse:
    member = _own(request)
    if request.method == "POST":
        form = LocationForm(request.POST)
        if form.is_valid():
            member = services.move_member(
                member=member,
                city=form.cleaned_data["city_place"],
                neighbourhood=form.cleaned_data.get("neighbourhood") or "",
            )
            messages.success(
                request,
                _("You now belong to %(chapter)s and the chapters around it.")
                % {"chapter": member.home_chapter.display_name()},
            )
            return redirect(member.home_chapter.get_absolute_url())
    else:
        form = LocationForm(initial=LocationForm.initial_for(member))
    return render(request, "members/location.html", {"form": form, "member": member})


@require_http_methods(["GET", "POST"])
@member_required
def export(request: HttpRequest) -> HttpResponse:
    member = _own(request)
    if request.method == "GET":
        return render(request, "members/export.html", {"member": member})
    data = selectors.export_data_for(member)
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="chapterhouse-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@member_required
def delete(request: HttpRequest) -> HttpResponse:
    member = _own(request)
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        remove_posts = form.cleaned_data["remove_posts"]
        services.delete_account(member=member, remove_writing=remove_posts)
        logout(request)
        messages.success(request, _(
            "Your account has been deleted: your login, profile, memberships, roles and "
            "notifications are gone. Your proposals, amendments, votes and deliberation "
            "posts stay in the organisation's record, without your name."))
        messages.info(request, _(
            "The text of your forum posts and comments was removed.") if remove_posts else _(
            "Your forum posts and comments stay, signed “former member”."))
        return redirect("members:home")
    return render(request, "members/delete.html", {"form": form, "member": member})


@require_http_methods(["GET", "POST"])
@member_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The member's API tokens: when each was made, last used and expires; revoke one."""
    member = _own(request)
    if request.method == "POST":
        return form_action(
            request,
            lambda: services.revoke_api_token(
                user=member.user, public_id=_uuid_or_none(request.POST.get("token", ""))
            ),
            success=_("The token has been revoked."),
            then="members:api_tokens",
        )
    tokens = ApiToken.objects.live().filter(user=member.user).order_by("-created_at", "-pk")
    return render(request, "members/api_tokens.html", {"tokens": tokens, "member": member})


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
