"""Chat pages. Without JavaScript a room shows its history and takes a message by a
form (POST, then back to the room); with it, static/js/chat.js adds live messages over
`ws/chat/<room>/` (consumers.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import (
    add_refusal,
    form_action,
    member_required,
    submit_form,
    viewer_of,
)

from . import selectors, services
from .access import access_message, access_room
from .forms import HideForm, InviteForm, MessageForm, RoomForm
from .models import Message, Room


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The member's rooms with their unread counts, and the public rooms they could join."""
    member = member_required(request)
    chapter_ids = selectors.chapter_ids_of(member)
    services.open_chapter_rooms(member=member, chapter_ids=chapter_ids)
    return render(request, "chat/index.html", {
        "rooms": list(selectors.rooms_of(member, chapter_ids)),
        "joinable": list(selectors.joinable_rooms(member, chapter_ids)),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def new_room(request: HttpRequest) -> HttpResponse:
    member = member_required(request)
    chapters = list(Chapter.objects.containing(member.home_chapter))
    form = RoomForm(request.POST or None, chapters=chapters)
    if request.method == "POST":
        response = submit_form(
            request, form,
            lambda: services.create_room(
                chapter=form.cleaned_data["chapter"], creator=member,
                name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                access=form.cleaned_data["access"]),
            success=_("The room is open."), then=lambda room: room.get_absolute_url(),
        )
        if response is not None:
            return response
    return render(request, "chat/new_room.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _before(request: HttpRequest) -> int | None:
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _room_page(request: HttpRequest, room: Room, form: MessageForm | None = None,
               status: int = 200) -> HttpResponse:
    viewer = viewer_of(request)
    member = member_required(request)
    before = _before(request)
    messages, has_older = selectors.history(room, before=before)
    members = selectors.mentioned_members(messages)
    in_room = viewer.can("chat.post_in_room", room)
    if in_room and before is None and messages:
        services.mark_read(member=member, room=room, message_id=messages[-1].pk)
    facilitates = viewer.can("chat.moderate_room", room) if messages else False
    online, more_online = selectors.online_in(room)
    rows = [{
        "message": message,
        "html": selectors.rendered(message, members),
        "mine": message.author_id == member.pk,
    } for message in messages]
    return render(request, "chat/room.html", {
        "room": room,
        "rows": rows,
        "has_older": has_older,
        "older_url": f"{room.get_absolute_url()}?before={messages[0].pk}" if has_older else "",
        "is_latest": before is None,
        "last_id": messages[-1].pk if messages else 0,
        "in_room": in_room,
        "may_join": viewer.can("chat.join_room", room),
        "may_leave": viewer.can("chat.leave_room", room),
        "may_invite": viewer.can("chat.invite_to_room", room),
        "may_hide": facilitates,
        "form": form or MessageForm(),
        "invite_form": InviteForm(),
        "room_members": [] if room.is_chapter_room else selectors.room_members(room),
        "online": online,
        "more_online": more_online,
        "me": member,
    }, status=status)


@require_safe
@login_required
def room(request: HttpRequest, public_id: str) -> HttpResponse:
    return _room_page(request, access_room(request, public_id))


@require_POST
@login_required
def post(request: HttpRequest, public_id: str) -> HttpResponse:
    room = access_room(request, public_id, "chat.post_in_room",
                       denied=_("Join the room to write in it."))
    member = member_required(request)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.post_message(room=room, author=member, text=form.cleaned_data["text"])
        except Refused as error:
            add_refusal(form, error, "text")
        else:
            return redirect(room.get_absolute_url() + "#latest")
    return _room_page(request, room, form, status=400)


@require_POST
@login_required
def join(request: HttpRequest, public_id: str) -> HttpResponse:
    room = access_room(request, public_id, "chat.join_room",
                       denied=_("You cannot join this room."))
    member = member_required(request)
    return form_action(request, lambda: services.join_room(room=room, member=member),
                       success=_("You joined the room."), then=room.get_absolute_url())


@require_POST
@login_required
def leave(request: HttpRequest, public_id: str) -> HttpResponse:
    room = access_room(request, public_id, "chat.leave_room",
                       denied=_("You cannot leave this room."))
    member = member_required(request)
    return form_action(request, lambda: services.leave_room(room=room, member=member),
                       success=_("You left the room."), then=reverse("chat:index"))


@require_POST
@login_required
def invite(request: HttpRequest, public_id: str) -> HttpResponse:
    room = access_room(request, public_id, "chat.invite_to_room",
                       denied=_("Only the room's members can invite to it."))
    member = member_required(request)
    form = InviteForm(request.POST)

    def run() -> Any:
        if not form.is_valid():
            raise Refused(_("Write the name of the member to invite."))
        found = selectors.members_named_in(room, form.cleaned_data["name"])
        if not found:
            raise Refused(_("No member of %(chapter)s has this name.")
                          % {"chapter": room.chapter.display_name()})
        if len(found) > 1:
            raise Refused(_("Several members of %(chapter)s have this name.")
                          % {"chapter": room.chapter.display_name()})
        return services.invite_to_room(room=room, inviter=member, member=found[0])

    return form_action(request, run, success=_("Invited."), then=room.get_absolute_url())


def _message_form_page(request: HttpRequest, message: Message, form: forms.Form,
                       run: Callable[[], Any], *,
                       success: str, field: str, template: str,
                       context: dict[str, Any] | None = None) -> HttpResponse:
    """A form about one message (edit, hide): run the service on a valid POST and go
    back to the message; otherwise the form, with a 400 when it was refused."""
    if request.method == "POST":
        response = submit_form(request, form, run, success=success, field=field,
                               then=message.room.get_absolute_url() + f"#m{message.pk}")
        if response is not None:
            return response
    return render(request, template, {"form": form, "message": message,
                                      "room": message.room, **(context or {})},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit(request: HttpRequest, public_id: str, message_id: str) -> HttpResponse:
    message = access_message(request, public_id, message_id, "chat.edit_message",
                             denied=_("You cannot edit this message."))
    member = member_required(request)
    form = MessageForm(request.POST or None, initial={"text": message.body})
    return _message_form_page(
        request, message, form,
        lambda: services.edit_message(message=message, editor=member,
                                      text=form.cleaned_data["text"]),
        success=_("Your message is changed."), field="text", template="chat/edit.html",
    )


@require_POST
@login_required
def delete(request: HttpRequest, public_id: str, message_id: str) -> HttpResponse:
    message = access_message(request, public_id, message_id, "chat.edit_message",
                             denied=_("You cannot delete this message."))
    member = member_required(request)
    return form_action(request, lambda: services.delete_message(message=message, member=member),
                       success=_("Your message is deleted."),
                       then=message.room.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def hide(request: HttpRequest, public_id: str, message_id: str) -> HttpResponse:
    message = access_message(request, public_id, message_id, "chat.hide_message",
                             denied=_("Only the chapter's facilitators can hide messages."))
    member = member_required(request)
    form = HideForm(request.POST or None)
    return _message_form_page(
        request, message, form,
        lambda: services.hide_message(message=message, facilitator=member,
                                      reason=form.cleaned_data["reason"]),
        success=_("The message is hidden."), field="reason", template="chat/hide.html",
        context={"html": selectors.rendered(message, selectors.mentioned_members([message]))},
    )
