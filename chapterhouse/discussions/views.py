"""Thread pages, replies, quotes, edits and their history, locking, mention search,
and each chapter's forum (forum_urls). Interfaces only: parse, authorise, call one
service, render."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as urlquote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from chapterhouse.lib.autocomplete import Suggestion, query_of, render_suggestions
from chapterhouse.lib.interface import (
    add_refusal,
    form_action,
    member_required,
    submit_form,
    viewer_of,
)
from chapterhouse.members.selectors import members_named

from . import markup, presenters, selectors, services
from .access import access_post, access_thread
from .forms import EditPostForm, PostForm
from .models import Level, Post, Thread

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

VERSIONS_PER_PAGE = 50


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _thread_url(thread: Thread, page: int = 1) -> str:
    url = thread.get_absolute_url()
    return f"{url}?page={page}" if page > 1 else url


def discussion_context(
    request: HttpRequest,
    thread: Thread,
    *,
    page_number: int | str | None = None,
    form: PostForm | None = None,
    next_url: str = "",
    embedded: bool = False,
) -> dict[str, Any]:
    """What `discussions/_discussion.html` shows: a page of posts, who may do what,
    and the reply form. Used by the thread page and by `_thread_embed.html` (through
    the `thread_discussion` tag) on pages that show a thread inline."""
    page = selectors.thread_page(thread, page_number)
    if page.page.has_next():
        # A reply would not show on this page: it lands on the thread's page instead.
        next_url = ""
    viewer = viewer_of(request)
    member = viewer.member
    state = selectors.reader_state(member, thread) if member is not None else None
    for item in page.posts:
        # No query: each post's thread is the one loaded above. Only an author may edit
        # (the rule's first test): the rule is asked of the reader's own posts alone.
        item.can_edit = (member is not None and item.post.author_id == member.pk
                         and viewer.can("discussions.edit_post", item.post))
        author = item.post.author
        item.show_presence = (
            author is not None and author.user.is_active and author.visible_to(member))
    if member is not None and state is not None and page.posts:
        unread = [item for item in page.posts if item.post.pk > state.read_upto]
        for item in unread:
            item.is_new = True
        if unread:
            unread[0].first_new = True
            # Viewing a page marks its posts read (with or without JavaScript): a write
            # on GET, as presence is, that only ever records the viewer's own reading.
            services.mark_read(member=member, thread=thread, post=page.posts[-1].post.pk)
    live = not page.page.has_next()
    links = reply_links(thread, next_url, live=live)
    can_post = member is not None and viewer.can("discussions.post_in_thread", thread)
    presenters.attach_posts(page.posts, thread=thread, member=member, can_post=can_post,
                            authenticated=request.user.is_authenticated, links=links)
    return {
        "thread": thread,
        "page_obj": page.page,
        "posts": page.posts,
        **links,
        "can_post": can_post,
        "can_lock": viewer.can("discussions.lock_thread", thread),
        "form": form or PostForm(thread=thread),
        # New posts appear in place (htmx) only on the thread's last page; elsewhere
        # the reply is a plain POST that lands on the page where the post is.
        "live": live,
        "next_url": next_url,
        "embedded": embedded,
        "reader": state,
        "levels": level_choices(THREAD_LEVELS, state.level if state else None),
        "said": LEVEL_SAID[state.level] if state else "",
    }


def reply_links(thread: Thread, next_url: str, *, live: bool) -> dict[str, str]:
    """What each post's Reply and Quote links are made of (`_post.html`), worked out once
    for a page of posts: the reply form's address, and what follows the post's id in
    the link (`reply_query`) and in its htmx request (`hx_query`)."""
    query = f"&next={urlquote(next_url, safe='/')}" if next_url else ""
    return {
        "reply_url": reverse("discussions:reply", kwargs={"public_id": thread.public_id}),
        "reply_query": query,
        "hx_query": query if live else f"{query}&live=0",
    }


THREAD_LEVELS = (Level.WATCHING, Level.TRACKING, Level.MUTED)


def level_choices(levels: tuple[Level, ...], current: Level | None) -> list[dict[str, Any]]:
    return [{"value": level.value or "default", "current": level == current} for level in levels]


def _url_of(subject: object) -> str:
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


@require_safe
def thread_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    thread = access_thread(request, public_id)
    subject = thread.subject if thread.subject_type_id else None
    context = {
        "discussion": discussion_context(request, thread, page_number=request.GET.get("page")),
        "thread": thread,
        "subject": subject,
        "subject_url": _url_of(subject),
    }
    return render(request, "discussions/thread.html", context)


@require_safe
def post_permalink(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A post's lasting address: the page of its thread where it is, at its anchor."""
    post = access_post(request, public_id)
    return redirect(f"{_thread_url(post.thread, selectors.page_of(post))}#post-{post.public_id}")


def _reply_target(value: uuid.UUID | str | None) -> Post | None:
    """The post answered, by public id; anything unknown or malformed is a 404."""
    if not value:
        return None
    try:
        public_id = uuid.UUID(str(value))
    except ValueError:
        raise Http404(_("There is no such post.")) from None
    post = (
        Post.objects.select_related("author", "thread").filter(public_id=public_id).first()
    )
    if post is None:
        raise Http404(_("There is no such post."))
    return post


def _reply_form_response(
    request: HttpRequest, thread: Thread, form: PostForm, *, replying_to: Post | None,
    next_url: str, status: int = 200, live: bool = True, preview: str = "",
) -> HttpResponse:
    context = {
        "thread": thread,
        "form": form,
        "replying_to": replying_to,
        "next_url": next_url,
        # Posts appear in place only when the form sits on the thread's last page.
        "live": live,
        "preview_html": preview,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "discussions/_reply_form.html", context)
    if replying_to is not None:
        context["quoted_html"] = markup.render(replying_to.body).html
    return render(request, "discussions/reply.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reply(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """GET: the reply form (answering `?to=` or quoting `?quote=` a post).
    POST: add the reply; htmx gets the new post (and a fresh form), others a redirect."""
    thread = access_thread(request, public_id)
    viewer = viewer_of(request).member
    if viewer is None or not viewer_of(request).can("discussions.post_in_thread", thread):
        if thread.is_locked:
            raise PermissionDenied(_("This thread is locked: no new posts."))
        raise PermissionDenied(_("Only members of this chapter can post here."))
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))

    if request.method != "POST":
        quoted = _reply_target(request.GET.get("quote"))
        replying_to = quoted or _reply_target(request.GET.get("to"))
        if replying_to is not None and replying_to.thread_id != thread.pk:
            raise Http404(_("There is no such post in this thread."))
        initial: dict[str, Any] = {}
        if replying_to is not None:
            initial["reply_to"] = replying_to.public_id
        if quoted is not None:
            initial["body"] = markup.quote(quoted)
        form = PostForm(initial=initial, thread=thread)
        # The member chose to reply: the cursor goes to the form (discussions.js puts
        # it after the quote).
        form.fields["body"].widget.attrs["autofocus"] = True
        return _reply_form_response(
            request, thread, form, replying_to=replying_to, next_url=next_url,
            live=request.GET.get("live") != "0",
        )

    form = PostForm(request.POST, thread=thread)
    replying_to = None
    live = request.POST.get("live") != "0"
    if form.is_valid():
        try:
            replying_to = _reply_target(form.cleaned_data.get("reply_to"))
        except Http404:
            form.add_error("reply_to", _("The post you are replying to no longer exists."))
    if form.is_valid() and request.POST.get("preview"):
        # The post as it will look, above the form with the text kept; nothing stored.
        response = _reply_form_response(
            request, thread, form, replying_to=replying_to, next_url=next_url, live=live,
            preview=selectors.preview_html(form.cleaned_data["body"]),
        )
        return _in_place(request, response, thread)
    if form.is_valid():
        try:
            post = services.reply(
                thread=thread, author=viewer, body=form.cleaned_data["body"],
                reply_to=replying_to,
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            return _after_reply(request, thread, post, next_url)
    response = _reply_form_response(
        request, thread, form, replying_to=replying_to, next_url=next_url, status=400,
        live=live,
    )
    return _in_place(request, response, thread)


def _in_place(request: HttpRequest, response: HttpResponse, thread: Thread) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        # The form (with its errors or preview) replaces the form, wherever the form's
        # own hx-target points (htmx swaps 2xx only: its errors come as 200 here).
        retarget(response, f"#reply-form-{thread.public_id}")
        reswap(response, "outerHTML")
    return response


def _after_reply(request: HttpRequest, thread: Thread, post: Post, next_url: str
                 ) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        item = selectors.RenderedPost(
            post=post, html=selectors.render_post(post), number=thread.post_count,
            can_edit=viewer_of(request).can("discussions.edit_post", post),
            show_presence=True,  # the viewer's own post
        )
        presenters.attach_heads([item])
        return render(
            request,
            "discussions/_reply_posted.html",
            {
                "item": item,
                "thread": thread,
                **reply_links(thread, next_url, live=True),
                "can_post": True,
                "form": PostForm(thread=thread),
                "next_url": next_url,
                "live": True,
            },
        )
    messages.success(request, _("Your post is published."))
    if next_url:
        return redirect(f"{next_url.split('#')[0]}#post-{post.public_id}")
    return redirect(
        f"{_thread_url(thread, selectors.page_of(post))}#post-{post.public_id}"
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_post(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    post = access_post(request, public_id)
    viewer = viewer_of(request).member
    if viewer is None or not viewer_of(request).can("discussions.edit_post", post):
        own = viewer is not None and post.author_id == viewer.pk
        if own and post.thread.is_locked:
            raise PermissionDenied(_("This thread is locked: posts cannot be edited."))
        raise PermissionDenied(_("Only the author can edit this post."))
    if request.method == "POST":
        form = EditPostForm(request.POST, thread=post.thread)
        done = submit_form(
            request, form,
            lambda: services.edit_post(post=post, editor=viewer, body=form.cleaned_data["body"]),
            success=_("Your post is saved."), then=post.get_absolute_url())
        if done is not None:
            return done
    else:
        form = EditPostForm(initial={"body": post.body}, thread=post.thread)
    return render(
        request,
        "discussions/edit.html",
        {"post": post, "thread": post.thread, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def post_history(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Every earlier version of a post, newest first; visible to all who can read it."""
    post = access_post(request, public_id)
    mentioned = {
        mention.member.public_id: mention.member
        for mention in post.mentions.select_related("member")
    }
    page = Paginator(selectors.versions_of(post), VERSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    versions = [
        {"version": version, "html": markup.render(version.body, mentioned).html}
        for version in page.object_list
    ]
    return render(
        request,
        "discussions/history.html",
        {
            "post": post,
            "thread": post.thread,
            "current_html": markup.render(post.body, mentioned).html,
            "versions": versions,
            "page_obj": page,
        },
    )


@login_required
@require_POST
def lock(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    thread = access_thread(
        request, public_id, "discussions.lock_thread",
        denied=_("Only this chapter's facilitators can lock its threads."),
    )
    locked = request.POST.get("locked") != "0"
    return form_action(
        request,
        lambda: services.lock_thread(
            thread=thread, actor=viewer_of(request).member, locked=locked
        ),
        success=_("The thread is locked.") if locked else _("The thread is open again."),
        then=thread.get_absolute_url(),
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Record that the member read the thread up to `post` (a public id), as posts
    scroll into view (discussions.js). 204; 400 for a post not in this thread."""
    thread = access_thread(request, public_id)
    try:
        post_id = uuid.UUID(request.POST.get("post", ""))
    except ValueError:
        return HttpResponse(_("Name a post of this thread."), status=400)
    pk = Post.objects.filter(thread=thread, public_id=post_id).values_list("pk", flat=True).first()
    if pk is None:
        return HttpResponse(_("Name a post of this thread."), status=400)
    services.mark_read(member=member_required(request), thread=thread, post=pk)
    return HttpResponse(status=204)


LEVEL_SAID = {
    Level.WATCHING: gettext_lazy("You are watching this thread: you are told of every post."),
    Level.TRACKING: gettext_lazy("You are tracking this thread: new posts are counted, and you are "
                          "told of replies to you, quotes of you and mentions."),
    Level.MUTED: gettext_lazy("You muted this thread: you are told of nothing in it."),
    Level.DEFAULT: gettext_lazy("You follow this thread as you follow its forum."),
}
def posted_level(request: HttpRequest) -> str:
    value = request.POST.get("level", "")
    return "" if value == "default" else value or "-"


@login_required
@require_POST
def thread_level(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Watch, track or mute a thread (POST + redirect: no JavaScript needed)."""
    thread = access_thread(request, public_id)
    level = posted_level(request)
    return form_action(
        request,
        lambda: services.set_thread_level(
            member=member_required(request), thread=thread, level=level),
        success=str(LEVEL_SAID.get(Level(level), "")) if level in Level.values else "",
        then=_safe_next(request, request.POST.get("next")) or thread.get_absolute_url(),
    )


@login_required
@require_safe
def mention_search(request: HttpRequest) -> HttpResponse:
    """Members to mention, by name (members.selectors.members_named): those who posted
    in the thread (`?thread=`, which the reply form sends) and those nearest the
    viewer first. htmx gets the suggestions of the one autocomplete; without
    JavaScript a page shows the code to paste."""
    query = query_of(request)
    viewer = viewer_of(request).member
    found: list[Member] = []
    if viewer is not None:
        try:
            thread_id: uuid.UUID | None = uuid.UUID(request.GET.get("thread", ""))
        except ValueError:
            thread_id = None
        thread = Thread.objects.filter(public_id=thread_id).first() if thread_id else None
        posters = selectors.posters_of(thread) if thread is not None else []
        found = members_named(query, near=viewer, first=posters)
    rows: list[dict[str, Any]] = [
        {"member": person, "token": markup.mention_token(person)} for person in found
    ]
    if not request.htmx:  # type: ignore[attr-defined]
        return render(request, "discussions/mentions.html", {"query": query, "rows": rows})
    suggestions = [
        Suggestion(
            value=token,
            label=person.display_name,
            detail=person.home_chapter.display_name() if person.show_location else "",
            data={"mention-token": token},
        )
        for person, token in ((row["member"], row["token"]) for row in rows)
    ]
    return render_suggestions(
        request, suggestions, empty=_("No member by that name.") if query else "", rows=rows
    )
