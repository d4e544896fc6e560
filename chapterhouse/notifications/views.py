"""A member's own notices and their email choices. Nobody sees anyone else's."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import viewer_of

from . import selectors, services
from .access import access_inbox, access_notification
from .forms import EmailPreferencesForm, initial_for
from .models import Kind
from .unsubscribe import read_token

# Notices in the unread JSON (the polling fallback of static/js/live.js).
UNREAD_LATEST = 10

PAGE_SIZE = 30


def _list_url(page: object = None) -> str:
    url = reverse("notifications:list")
    if isinstance(page, str) and page.isdigit() and int(page) > 1:
        url += f"?page={int(page)}"
    return url


@require_safe
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    member = access_inbox(request)
    page = Paginator(selectors.notifications_for(member), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "unread": selectors.unread_count_for(viewer_of(request))},
    )


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    member = access_inbox(request)
    count = services.mark_read(member=member)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(_list_url(request.POST.get("page")))


@require_POST
@login_required
def mark_notification_read(request: HttpRequest, public_id: UUID) -> HttpResponse:
    member = access_inbox(request)
    notification = access_notification(request, public_id)
    services.mark_read(member=member, notification_ids=[notification.pk])
    viewer_of(request).forget()  # the unread count changed
    if request.htmx:  # type: ignore[attr-defined]
        notification.refresh_from_db(fields=["read_at"])
        return render(
            request,
            "notifications/_notice.html",
            {"notice": notification, "page_obj": None},
        )
    return redirect(_list_url(request.POST.get("page")))


@require_POST
@login_required
def open_notification(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Mark the notice read and go to what it is about (a POST: GET never writes)."""
    member = access_inbox(request)
    notification = access_notification(request, public_id)
    services.mark_read(member=member, notification_ids=[notification.pk])
    target = notification.link
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(_list_url())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    member = access_inbox(request)
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            services.set_email_preferences(member=member, choices=form.choices())
            messages.success(request, _("Your email choices are saved."))
            return redirect("notifications:settings")
        status = 400
    else:
        form = EmailPreferencesForm(initial=initial_for(selectors.email_choices_for(member)))
        status = 200
    return render(request, "notifications/settings.html", {"form": form}, status=status)


@require_safe
@never_cache
def unread_json(request: HttpRequest) -> JsonResponse:
    """The unread count and the newest notices, in the request's language: what
    static/js/live.js polls when WebSockets fail. 403 without a member (JSON, never the
    login page: a script reads it)."""
    member = viewer_of(request).member
    if member is None:
        return JsonResponse({"error": _("Log in to see your notifications.")}, status=403)
    latest = selectors.notifications_for(member)[:UNREAD_LATEST]
    unread = selectors.unread_count(member)
    return JsonResponse({
        "unread": unread,
        "label": selectors.unread_label(unread),
        "notices": [selectors.notice_json(notice) for notice in latest],
    })


@csrf_exempt  # RFC 8058: the mail client posts it, with no session; the token is the key
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link turns off, and a button; POST (the button, or a mail client's
    one-click "List-Unsubscribe=One-Click"): turns it off. No login. A forged, altered
    or expired token: a page that says so (400), nothing changed."""
    try:
        unsubscription = read_token(token)
        member = selectors.member_for_unsubscribe(unsubscription.member)
    except Refused as refusal:
        return render(request, "notifications/unsubscribe.html",
                      {"error": refusal.message}, status=400)
    kinds = [Kind(kind).label for kind in unsubscription.kinds]
    if request.method == "POST":
        services.unsubscribe(member=member, kinds=unsubscription.kinds)
        return render(request, "notifications/unsubscribe.html",
                      {"done": True, "kinds": kinds})
    return render(request, "notifications/unsubscribe.html", {"kinds": kinds})
