"""The pages of private messages: the list, a new conversation, a conversation
(read and reply), reporting a message, blocking, and the images, served only to the
conversation's participants."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.lib.interface import (
    form_action,
    member_required,
    submit_form,
    viewer_of,
)
from chapterhouse.members.models import Member

from . import selectors, services
from .access import access_attachment, access_conversation, access_message
from .forms import NewConversationForm, ReplyForm, ReportForm, quote_of
from .models import Conversation, Message

CONVERSATIONS_PER_PAGE = 25
MESSAGES_PER_PAGE = 50


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The member's conversations, newest activity first, with their unread counts."""
    member = member_required(request)
    page = Paginator(selectors.conversations_of(member), CONVERSATIONS_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "conversations/list.html", {"page_obj": page, "me": member})


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Start a conversation: recipients by the one autocomplete (or by name)."""
    member = member_required(request)
    if request.method == "POST":
        form = NewConversationForm(request.POST, request.FILES, author=member)
        response = submit_form(
            request, form,
            lambda: services.start_conversation(
                author=member, recipients=form.cleaned_data["recipients"],
                subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                image=form.cleaned_data["image"]),
            success=_("Your message was sent."),
            then=lambda conversation: conversation.get_absolute_url(),
        )
        if response is not None:
            return response
        status = 400
    else:
        initial: dict[str, str] = {}
        to = _member_by_id(request.GET.get("to", ""))
        if to is not None:
            initial = {"to_0": to.display_name, "to_0_id": str(to.public_id)}
        form = NewConversationForm(initial=initial, author=member)
        status = 200
    return render(request, "conversations/new.html", {"form": form}, status=status)


def _member_by_id(value: str) -> Member | None:
    try:
        return Member.objects.active().filter(public_id=uuid.UUID(value)).first()
    except ValueError:
        return None


def _show(request: HttpRequest, conversation: Conversation, form: ReplyForm,
          status: int = 200) -> HttpResponse:
    member = member_required(request)
    participants = selectors.participants_of(conversation)
    mine = next(p for p in participants if p.member_id == member.pk)
    paginator = Paginator(selectors.messages_in(conversation), MESSAGES_PER_PAGE)
    # The newest page unless asked: a conversation reads from its end.
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    shown: list[Message] = list(page.object_list)
    read_before = mine.read_up_to
    if shown and services.mark_read(conversation=conversation, member=member,
                                    up_to=shown[-1].pk):
        viewer_of(request).forget()  # the header's unread count changed
    blocked = selectors.blocked_ids(member)
    others = [p.member for p in participants if p.member_id != member.pk]
    return render(request, "conversations/detail.html", {
        "conversation": conversation,
        "page_obj": page,
        "shown": shown,
        "read_before": read_before,
        "me": member,
        "others": others,
        "blocked": blocked,
        "form": form,
    }, status=status)


@login_required
@require_safe
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A conversation's messages (its newest page), marked read as shown; the reply form
    (quoting a message with ?quote=<message id>)."""
    conversation = access_conversation(request, public_id)
    initial: dict[str, Any] = {}
    if request.GET.get("quote"):
        quoted = access_message(request, public_id, request.GET["quote"])
        initial["body"] = quote_of(quoted)
    return _show(request, conversation, ReplyForm(initial=initial))


@login_required
@require_POST
def reply(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    conversation = access_conversation(
        request, public_id, "conversations.post_message",
        denied=_("You cannot write in this conversation."))
    member = member_required(request)
    form = ReplyForm(request.POST, request.FILES)
    response = submit_form(
        request, form,
        lambda: services.post_message(conversation=conversation, author=member,
                                      body=form.cleaned_data["body"],
                                      image=form.cleaned_data["image"]),
        success=_("Your message was sent."),
        then=lambda message: f"{conversation.get_absolute_url()}#m-{message.public_id}",
        field="body",
    )
    return response or _show(request, conversation, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, public_id: uuid.UUID, message_id: uuid.UUID) -> HttpResponse:
    """Report a message to the moderators, with a reason."""
    message = access_message(request, public_id, message_id, "conversations.report_message",
                             denied=_("You cannot report this message."))
    member = member_required(request)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        response = submit_form(
            request, form,
            lambda: services.report_message(message=message, reporter=member,
                                            reason=form.cleaned_data["reason"]),
            success=_("Thank you. The moderators will look at this message."),
            then=message.conversation.get_absolute_url(), field="reason",
        )
        if response is not None:
            return response
    return render(request, "conversations/report.html", {
        "form": form, "message": message, "conversation": message.conversation,
    }, status=400 if form.is_bound else 200)


@login_required
@require_safe
def attachment(request: HttpRequest, public_id: uuid.UUID,
               attachment_id: uuid.UUID) -> FileResponse:
    """An image of a message, to the conversation's participants only."""
    found = access_attachment(request, public_id, attachment_id)
    response = FileResponse(found.file.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_safe
def blocked(request: HttpRequest) -> HttpResponse:
    member = member_required(request)
    return render(request, "conversations/blocked.html",
                  {"blocked_members": selectors.blocked_by(member)})


def _next(request: HttpRequest) -> str:
    then = request.POST.get("next", "")
    if then and url_has_allowed_host_and_scheme(then, {request.get_host()},
                                                 require_https=request.is_secure()):
        return then
    return reverse("conversations:blocked")


@login_required
@require_POST
def block(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    member = member_required(request)
    other = get_object_or_404(Member, public_id=member_id)
    return form_action(
        request, lambda: services.block_member(blocker=member, blocked=other),
        success=_("You blocked %(name)s: they can no longer write to you.")
        % {"name": other.display_name},
        then=_next(request))


@login_required
@require_POST
def unblock(request: HttpRequest, member_id: uuid.UUID) -> HttpResponse:
    member = member_required(request)
    other = get_object_or_404(Member, public_id=member_id)
    return form_action(
        request, lambda: services.unblock_member(blocker=member, blocked=other),
        success=_("You unblocked %(name)s.") % {"name": other.display_name},
        then=_next(request))


def profile_action(request: HttpRequest, member: Member) -> dict[str, str] | None:
    """The profile's "Send a message" (members.profile_actions): for signed-in members
    other than the member, unless one of the two blocked the other."""
    viewer = viewer_of(request).active_member
    if viewer is None or viewer.pk == member.pk or not selectors.may_write_to(viewer, member):
        return None
    return {"url": f"{reverse('conversations:new')}?to={member.public_id}"}
