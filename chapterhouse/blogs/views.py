"""Blog pages: a chapter's blog (in the chapter's frame), a member's blog, a post with
its comments, the form to write or edit one (a plain form: it works without
JavaScript), the buttons to publish, unpublish and delete, the chapter's setting of
who writes, the Atom feeds, and the chapter page's panel. Interfaces only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chapterhouse.chapters.navigation import section_context
from chapterhouse.chapters.selectors import ChapterChain
from chapterhouse.lib.interface import (
    access,
    form_action,
    member_required,
    submit_form,
    viewer_of,
)
from chapterhouse.lib.markdown import render_markdown

from . import selectors, services
from .access import access_member_blog, access_post, access_post_by_id
from .forms import BlogSettingsForm, PostForm
from .models import Blog, BlogPost

POSTS_PER_PAGE = 20
SECTION = "blog"


def panel_context(request: HttpRequest, found: ChapterChain) -> dict[str, Any]:
    """The chapter page's panel (chapters.panels): the newest published posts of the
    chapter's blog. One query, none when cached."""
    latest = selectors.latest_for_chapter_page(found.chapter)
    return {
        "posts": latest[: selectors.SHOWN_ON_CHAPTER_PAGE],
        "more": len(latest) > selectors.SHOWN_ON_CHAPTER_PAGE,
        "chapter": found.chapter,
    }


def _chapter_blog(request: HttpRequest, url_path: str) -> tuple[dict[str, Any], Blog]:
    context = section_context(request, url_path, SECTION)
    blog = selectors.blog_of_chapter(context["chapter"])
    context["blog"] = blog
    return context, blog


def _blog_page(request: HttpRequest, context: dict[str, Any], blog: Blog,
               template: str) -> HttpResponse:
    """A blog's published posts, a page at a time, and the viewer's drafts in it."""
    viewer = viewer_of(request)
    member = viewer.active_member
    page = Paginator(selectors.published_posts(blog), POSTS_PER_PAGE).get_page(
        request.GET.get("page"))
    page.object_list = selectors.with_blog(list(page.object_list), blog)
    may_write = viewer.can("blogs.write", blog)
    context.update({
        "blog": blog,
        "page_obj": page,
        "may_write": may_write,
        "drafts": selectors.with_blog(list(selectors.drafts_of(
            blog, member, all_writers=blog.chapter_id is not None and may_write)), blog)
        if member is not None else [],
        "feed_url": request.build_absolute_uri(blog.get_feed_url()),
    })
    return render(request, template, context)


@require_safe
def chapter_blog(request: HttpRequest, url_path: str) -> HttpResponse:
    context, blog = _chapter_blog(request, url_path)
    if viewer_of(request).can("blogs.configure", blog):
        context["settings_form"] = BlogSettingsForm(
            initial={"members_may_write": blog.members_may_write})
    return _blog_page(request, context, blog, "blogs/chapter.html")


@login_required
@require_POST
def chapter_settings(request: HttpRequest, url_path: str) -> HttpResponse:
    context, blog = _chapter_blog(request, url_path)
    access(request, blog, view=None, missing="", permission="blogs.configure",
           denied=_("Only this chapter's facilitators choose who writes in its blog."))
    form = BlogSettingsForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    allowed = bool(form.cleaned_data.get("members_may_write"))
    return form_action(
        request,
        lambda: services.set_members_may_write(
            chapter=context["chapter"], actor=member_required(request), allowed=allowed),
        success=_("Every member of the chapter may now write in its blog.") if allowed
        else _("Only the chapter's facilitators may now write in its blog."),
        then=blog.get_absolute_url(),
    )


@require_safe
def member_blog(request: HttpRequest, public_id: str) -> HttpResponse:
    blog = access_member_blog(request, public_id)
    return _blog_page(request, {"owner": blog.owner}, blog, "blogs/member.html")


def _post_page(request: HttpRequest, context: dict[str, Any], post: BlogPost) -> HttpResponse:
    from chapterhouse.discussions.selectors import thread_about

    viewer = viewer_of(request)
    context.update({
        "blog": post.blog,
        "post": post,
        "may_change": viewer.can("blogs.change_post", post),
        "thread": thread_about(post, kind=services.COMMENTS) if post.is_published else None,
    })
    return render(request, "blogs/post.html", context)


@require_safe
def chapter_post(request: HttpRequest, url_path: str, slug: str) -> HttpResponse:
    context, blog = _chapter_blog(request, url_path)
    return _post_page(request, context, access_post(request, blog, slug))


@require_safe
def member_post(request: HttpRequest, public_id: str, slug: str) -> HttpResponse:
    blog = access_member_blog(request, public_id)
    return _post_page(request, {"owner": blog.owner}, access_post(request, blog, slug))


def _form_page(request: HttpRequest, context: dict[str, Any], blog: Blog, *,
               post: BlogPost | None) -> HttpResponse:
    """Write a post (`post` None) or edit one: save it as a draft, or publish it."""
    member = member_required(request)
    status = 200
    if request.method == "POST":
        form = PostForm(request.POST)
        publish = "publish" in request.POST

        def run() -> BlogPost:
            if post is None:
                return services.write_post(
                    blog=blog, author=member, title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"], publish=publish)
            return services.edit_post(post=post, editor=member,
                                      title=form.cleaned_data["title"],
                                      body=form.cleaned_data["body"], publish=publish)

        done = submit_form(
            request, form, run,
            success=lambda saved: _("Your post is published.") if saved.is_published
            else _("Your draft is saved: only you (and, in a chapter's blog, its writers) "
                   "can see it."),
            then=lambda saved: saved.get_absolute_url())
        if done is not None:
            return done
        status = 400
    else:
        form = PostForm(initial={"title": post.title, "body": post.body} if post else None)
    context.update({"blog": blog, "form": form, "post": post})
    return render(request, "blogs/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def chapter_new(request: HttpRequest, url_path: str) -> HttpResponse:
    context, blog = _chapter_blog(request, url_path)
    access(request, blog, view=None, missing="", permission="blogs.write",
           denied=_("Only this chapter's facilitators (and its members, where the chapter "
                    "allows it) write in its blog."))
    return _form_page(request, context, blog, post=None)


@login_required
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest) -> HttpResponse:
    member = member_required(request)
    blog = selectors.blog_of_member(member)
    access(request, blog, view=None, missing="", permission="blogs.write")
    return _form_page(request, {"owner": member}, blog, post=None)


def _frame_of(request: HttpRequest, post: BlogPost) -> dict[str, Any]:
    blog = post.blog
    if blog.chapter is not None:
        return section_context(request, blog.chapter.url_path, SECTION)
    return {"owner": blog.owner}


def _may_not_change() -> str:
    return _("Only its author and the chapter's facilitators can change this post.")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    post = access_post_by_id(request, public_id, "blogs.change_post",
                             denied=_may_not_change())
    return _form_page(request, _frame_of(request, post), post.blog, post=post)


@login_required
@require_POST
def publish(request: HttpRequest, public_id: str) -> HttpResponse:
    post = access_post_by_id(request, public_id, "blogs.change_post",
                             denied=_may_not_change())
    return form_action(
        request, lambda: services.publish_post(post=post, actor=member_required(request)),
        success=_("Your post is published."), then=post.get_absolute_url())


@login_required
@require_POST
def unpublish(request: HttpRequest, public_id: str) -> HttpResponse:
    post = access_post_by_id(request, public_id, "blogs.change_post",
                             denied=_may_not_change())
    return form_action(
        request, lambda: services.unpublish_post(post=post, actor=member_required(request)),
        success=_("The post is a draft again: only its writers can see it."),
        then=post.get_absolute_url())


@login_required
@require_POST
def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    post = access_post_by_id(request, public_id, "blogs.change_post",
                             denied=_may_not_change())
    then = post.blog.get_absolute_url()
    return form_action(
        request, lambda: services.delete_post(post=post, actor=member_required(request)),
        success=_("The post and its comments are deleted."), then=then)


class BlogFeed(Feed):  # type: ignore[type-arg]
    """A blog's Atom feed: its newest published posts, with absolute addresses (the
    request's own host, not the sites framework's). Made per request."""

    feed_type = Atom1Feed

    def __init__(self, request: HttpRequest, blog: Blog) -> None:
        super().__init__()
        self.request = request
        self.blog = blog

    def _absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def title(self) -> str:
        chapter, owner = self.blog.chapter, self.blog.owner
        if chapter is not None:
            return _("Blog of %(chapter)s") % {"chapter": chapter.display_name()}
        return _("Blog of %(member)s") % {"member": owner.display_name if owner else ""}

    def link(self) -> str:
        return self._absolute(self.blog.get_absolute_url())

    def feed_url(self) -> str:
        return self._absolute(self.blog.get_feed_url())

    def feed_guid(self) -> str:
        return f"urn:uuid:{self.blog.public_id}" if self.blog.pk else self.link()

    def items(self) -> list[BlogPost]:
        return selectors.feed_posts(self.blog)

    def item_title(self, item: BlogPost) -> str:
        return item.title

    def item_description(self, item: BlogPost) -> str:
        return str(render_markdown(item.body))

    def item_link(self, item: BlogPost) -> str:
        return self._absolute(item.get_absolute_url())

    def item_guid(self, item: BlogPost) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: BlogPost) -> Any:
        return item.published_at

    def item_updateddate(self, item: BlogPost) -> Any:
        return item.last_change

    def item_author_name(self, item: BlogPost) -> str:
        return item.author.display_name if item.author is not None else _("former member")


@require_safe
def chapter_feed(request: HttpRequest, url_path: str) -> HttpResponse:
    _context, blog = _chapter_blog(request, url_path)
    return BlogFeed(request, blog)(request)


@require_safe
def member_feed(request: HttpRequest, public_id: str) -> HttpResponse:
    blog = access_member_blog(request, public_id)
    return BlogFeed(request, blog)(request)
