"""Blogs over the REST API (v1): a chapter's and a member's, with the pages' rules and
services.

    GET    /api/v1/blog-posts/?chapter=<address>      a chapter blog's published posts,
    GET    /api/v1/blog-posts/?member=<public id>     or a member's, newest first,
                                                      paginated (?page=); `&drafts=1`:
                                                      instead the drafts you may see
    POST   /api/v1/blog-posts/                        write: chapter (null: your own
                                                      blog), title, body, publish
    GET    /api/v1/blog-posts/<id>/                   one post (its Markdown source only
                                                      for those who may change it)
    PATCH  /api/v1/blog-posts/<id>/                   edit its title and/or body
    DELETE /api/v1/blog-posts/<id>/                   delete it and its comments
    POST   /api/v1/blog-posts/<id>/publish/           publish a draft
    POST   /api/v1/blog-posts/<id>/unpublish/         make it a draft again

A chapter's address is its url_path, `international` for the root. A chapter's blog is
read by whoever may see the chapter's blog section, a member's by whoever may see their
profile; a draft is a 404 for all but its author (and a chapter blog's writers).
Writing is for the chapter's facilitators (and its members where the chapter allows
it), or a member in their own blog; changing a post for its author and the chapter's
facilitators (403 otherwise). A refusal (an empty or too long title or text, unknown
fields) is a 400 with its reason; nothing is stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from chapterhouse.chapters.access import access_chapter, url_path_of
from chapterhouse.chapters.api import ChapterRefSerializer
from chapterhouse.lib.api_hidden import HiddenAware, HiddenAwareList
from chapterhouse.lib.interface import (
    access,
    api_refusal,
    member_required,
    parse_uuid,
    person,
    viewer_of,
)
from chapterhouse.lib.jsonfields import JSONFlag, JSONText
from chapterhouse.lib.markdown import render_markdown
from chapterhouse.members.api import StrictSerializer

from . import selectors, services
from .access import access_member_blog, access_post_by_id
from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Blog, BlogPost

TAGS = ["blogs"]
CHAPTER_HELP = gettext_lazy("The chapter's address: its url_path, `international` for the "
                            "root.")




def _may_not_change() -> str:
    return _("Only its author and the chapter's facilitators can change this post.")


class BlogPersonSerializer(serializers.Serializer[Any]):
    """A member: their public id and name."""

    public_id = serializers.UUIDField(read_only=True)
    display_name = serializers.CharField(read_only=True)




class BlogRefSerializer(serializers.Serializer[Any]):
    """Whose blog: a chapter's (`chapter` set) or a member's (`owner` set)."""

    chapter = ChapterRefSerializer(read_only=True, allow_null=True)
    owner = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    @extend_schema_field(BlogPersonSerializer(allow_null=True))
    def get_owner(self, blog: Blog) -> dict[str, str] | None:
        return person(blog.owner) if blog.chapter_id is None else None


class BlogPostSerializer(HiddenAware, serializers.ModelSerializer[BlogPost]):
    """A post: its title, its text rendered, its author (null: a former member), when
    it was written, edited and published (null: a draft)."""

    blog = BlogRefSerializer(read_only=True)
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The Markdown rendered and sanitised."))
    is_published = serializers.BooleanField(read_only=True)
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    hidden_fields = ('title', 'body_html', 'body')

    class Meta:
        list_serializer_class = HiddenAwareList
        model = BlogPost
        fields = ["public_id", "blog", "author", "title", "slug", "body_html",
                  "is_published", "created_at", "updated_at", "published_at", "web_url", "hidden"]
        read_only_fields = fields

    @extend_schema_field(BlogPersonSerializer(allow_null=True))
    def get_author(self, post: BlogPost) -> dict[str, str] | None:
        return person(post.author)

    def get_body_html(self, post: BlogPost) -> str:
        return str(render_markdown(post.body))


class BlogPostDetailSerializer(BlogPostSerializer):
    """A post, with its Markdown source for those who may change it (null for others)."""

    body = serializers.SerializerMethodField(help_text=gettext_lazy(
        "Markdown; null unless you may change the post."))
    may_change = serializers.SerializerMethodField()

    class Meta(BlogPostSerializer.Meta):
        fields = [*BlogPostSerializer.Meta.fields, "body", "may_change"]
        read_only_fields = fields

    def _may_change(self, post: BlogPost) -> bool:
        request = self.context.get("request")
        return request is not None and viewer_of(request).can("blogs.change_post", post)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, post: BlogPost) -> str | None:
        return post.body if self._may_change(post) else None

    def get_may_change(self, post: BlogPost) -> bool:
        return self._may_change(post)


class BlogPostWriteSerializer(StrictSerializer):
    chapter = JSONText(allow_null=True, help_text=gettext_lazy(
        "The chapter whose blog to write in (its url_path, `international` for the "
        "root); null: your own blog."))
    # Lengths are the service's to check (its own message).
    title = JSONText(max_length=TITLE_MAX_LENGTH + 1000)
    body = JSONText(max_length=BODY_MAX_LENGTH + 1000)
    publish = JSONFlag(required=False, default=False, help_text=(
        gettext_lazy("Publish at once; otherwise a draft.")))


class BlogPostEditSerializer(StrictSerializer):
    title = JSONText(required=False, max_length=TITLE_MAX_LENGTH + 1000)
    body = JSONText(required=False, max_length=BODY_MAX_LENGTH + 1000)


class BlogPostActionSerializer(StrictSerializer):
    """No fields."""


def _chapter_blog(request: Request, lookup: str) -> Blog:
    found = access_chapter(request, url_path_of(lookup))
    return access(request, selectors.blog_of_chapter(found.chapter), view="blogs.view_blog",
                  missing=_("Not found"))


def _detail(request: Request, post: BlogPost) -> Any:
    return BlogPostDetailSerializer(post, context={"request": request}).data


@extend_schema(tags=TAGS)
class PostList(generics.ListAPIView[BlogPost]):
    """A blog's published posts, newest first (`drafts=1`: the drafts you may see in it,
    the last changed first). POST writes a post (201), a draft unless `publish`, in a
    chapter's blog or (`chapter` null) your own."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = BlogPostSerializer

    def _blog(self) -> Blog:
        params = self.request.query_params
        chapter, member = params.get("chapter"), params.get("member")
        if bool(chapter) == bool(member):
            raise ValidationError({"non_field_errors": [
                _("Give the chapter's address or the member's id (one of them).")]})
        if chapter:
            return _chapter_blog(self.request, chapter)
        return access_member_blog(self.request, parse_uuid(member, _("Not found")))

    def get_queryset(self) -> Any:
        self.blog = blog = self._blog()
        drafts = self.request.query_params.get("drafts")
        if drafts not in (None, "0", "1"):
            raise ValidationError({"drafts": [_("Give 1 for the drafts, or nothing.")]})
        if drafts == "1":
            viewer = viewer_of(self.request)
            member = viewer.active_member
            if member is None:
                raise NotAuthenticated()
            return selectors.drafts_of(
                blog, member,
                all_writers=blog.chapter_id is not None and viewer.can("blogs.write", blog))
        return selectors.published_posts(blog)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_blog(list(page), self.blog)

    @extend_schema(parameters=[
        OpenApiParameter("chapter", str, description=str(CHAPTER_HELP)),
        OpenApiParameter("member", uuid.UUID, description=(
            "A member's public id: their blog (give this or `chapter`).")),
        OpenApiParameter("drafts", str, enum=["0", "1"], description=(
            "1: the blog's drafts you may see (yours; every draft for a chapter blog's "
            "writers) instead of its published posts.")),
    ])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=BlogPostWriteSerializer, responses={201: BlogPostDetailSerializer})
    def post(self, request: Request) -> Response:
        author = member_required(request)
        serializer = BlogPostWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["chapter"] is not None:
            found = access_chapter(request, url_path_of(data["chapter"]))
            blog = selectors.blog_of_chapter(found.chapter)
            denied = _("Only this chapter's facilitators (and its members, where the "
                       "chapter allows it) write in its blog.")
        else:
            blog = selectors.blog_of_member(author)
            denied = None
        access(request, blog, view=None, missing="", permission="blogs.write", denied=denied)
        try:
            post = services.write_post(blog=blog, author=author, title=data["title"],
                                       body=data["body"], publish=data["publish"])
        except DjangoValidationError as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_detail(request, post), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class PostDetail(generics.GenericAPIView[BlogPost]):
    """One post; PATCH edits its title and/or text, DELETE deletes it with its comments
    (its author and the chapter's facilitators; a member blog's owner)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = BlogPostDetailSerializer

    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(_detail(request, access_post_by_id(request, public_id)))

    @extend_schema(request=BlogPostEditSerializer, responses={200: BlogPostDetailSerializer})
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        post = access_post_by_id(request, public_id, "blogs.change_post",
                                 denied=_may_not_change())
        serializer = BlogPostEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.edit_post(post=post, editor=member_required(request),
                               title=data.get("title", post.title),
                               body=data.get("body", post.body))
        except DjangoValidationError as error:
            raise api_refusal(error) from None
        viewer_of(request).forget()
        return Response(_detail(request, post))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, public_id: uuid.UUID) -> Response:
        post = access_post_by_id(request, public_id, "blogs.change_post",
                                 denied=_may_not_change())
        services.delete_post(post=post, actor=member_required(request))
        viewer_of(request).forget()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class PostPublish(generics.GenericAPIView[BlogPost]):
    """Publish a draft now (its comments open the first time); a published post stays
    as it is."""

    permission_classes = [IsAuthenticated]
    serializer_class = BlogPostActionSerializer

    @extend_schema(request=BlogPostActionSerializer, responses={200: BlogPostDetailSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        post = access_post_by_id(request, public_id, "blogs.change_post",
                                 denied=_may_not_change())
        BlogPostActionSerializer(data=request.data).is_valid(raise_exception=True)
        services.publish_post(post=post, actor=member_required(request))
        viewer_of(request).forget()
        return Response(_detail(request, post))


@extend_schema(tags=TAGS)
class PostUnpublish(generics.GenericAPIView[BlogPost]):
    """Make a published post a draft again: out of the blog and its feed, seen only by
    its writers; its comments are kept."""

    permission_classes = [IsAuthenticated]
    serializer_class = BlogPostActionSerializer

    @extend_schema(request=BlogPostActionSerializer, responses={200: BlogPostDetailSerializer})
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        post = access_post_by_id(request, public_id, "blogs.change_post",
                                 denied=_may_not_change())
        BlogPostActionSerializer(data=request.data).is_valid(raise_exception=True)
        services.unpublish_post(post=post, actor=member_required(request))
        viewer_of(request).forget()
        return Response(_detail(request, post))


urlpatterns = [
    path("blog-posts/", PostList.as_view(), name="blog-post-list"),
    path("blog-posts/<uuid:public_id>/", PostDetail.as_view(), name="blog-post-detail"),
    path("blog-posts/<uuid:public_id>/publish/", PostPublish.as_view(),
         name="blog-post-publish"),
    path("blog-posts/<uuid:public_id>/unpublish/", PostUnpublish.as_view(),
         name="blog-post-unpublish"),
]
