"""The blogs' services: what is stored, what bad input does (nothing), the comment
thread, the chapter page's cache, and a member's data when they leave."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from chapterhouse.audit.models import AuditEntry
from chapterhouse.blogs import selectors, services
from chapterhouse.blogs.models import TITLE_MAX_LENGTH, Blog, BlogPost
from chapterhouse.blogs.tests.factories import comments_of, make_post
from chapterhouse.discussions import services as discussion_services
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.members import selectors as member_selectors
from chapterhouse.members.services import delete_account

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"


def test_a_draft_is_stored_without_a_blog_row_made_before(facilitator):
    assert not Blog.objects.exists()
    post = make_post(facilitator, publish=False, title="  Our   first picnic ")
    assert post.title == "Our first picnic" and post.slug == "our-first-picnic"
    assert post.published_at is None and post.blog.chapter == facilitator.home_chapter
    assert thread_about(post, kind="comments") is None  # a draft has no thread to find


def test_slugs_are_unique_in_a_blog_and_reserved_words_are_not_taken(facilitator):
    first = make_post(facilitator)
    second = make_post(facilitator)
    third = make_post(facilitator, title="New")
    arabic = make_post(facilitator, title="نزهة الحديقة")
    assert [first.slug, second.slug, third.slug] == [
        "our-first-picnic", "our-first-picnic-2", "post"]
    assert arabic.slug == "نزهة-الحديقة"


def test_publishing_opens_the_comment_thread_once(facilitator, member):
    post = make_post(facilitator, publish=False)
    services.publish_post(post=post, actor=facilitator)
    first_published = post.published_at
    services.publish_post(post=post, actor=facilitator)
    assert post.published_at == first_published
    thread = comments_of(post)
    assert thread.chapter == facilitator.home_chapter and thread.posting_rule == "blogs.comment"
    services.unpublish_post(post=post, actor=facilitator)
    services.publish_post(post=post, actor=facilitator)
    assert Thread.objects.filter(kind="comments").count() == 1


def test_a_comment_tells_the_author_of_a_reply(facilitator, member):
    from chapterhouse.notifications.models import Notification

    post = make_post(facilitator)
    thread = comments_of(post)
    comment = discussion_services.reply(thread=thread, author=facilitator, body="Thanks!")
    discussion_services.reply(thread=thread, author=member, body="Lovely", reply_to=comment)
    assert Notification.objects.filter(recipient=facilitator).exists()


@pytest.mark.parametrize(("title", "body", "field"), [
    ("", "text", "title"), ("   ", "text", "title"), ("x" * (TITLE_MAX_LENGTH + 1), "t", "title"),
    ("Title", "", "body"), ("Title", " \n ", "body"), ("Title", "x" * 50_001, "body"),
])
def test_bad_input_is_refused_and_nothing_is_stored(facilitator, title, body, field):
    with pytest.raises(ValidationError) as refused:
        make_post(facilitator, title=title, body=body)
    assert field in refused.value.error_dict
    assert not BlogPost.objects.exists() and not Thread.objects.exists()


def test_a_bad_edit_changes_nothing(facilitator):
    post = make_post(facilitator)
    with pytest.raises(ValidationError):
        services.edit_post(post=post, editor=facilitator, title="", body="New text")
    post.refresh_from_db()
    assert (post.title, post.body) == ("Our first picnic", "We met in the **park**.")


def test_an_edit_keeps_the_address_and_moves_updated_at(facilitator):
    post = make_post(facilitator)
    before = post.updated_at
    services.edit_post(post=post, editor=facilitator, title="Renamed", body="New")
    post.refresh_from_db()
    assert post.slug == "our-first-picnic" and post.title == "Renamed"
    assert post.updated_at > before and post.last_change == post.updated_at


def test_deleting_a_post_deletes_its_comments_and_is_audited(facilitator, member):
    post = make_post(facilitator)
    thread = comments_of(post)
    discussion_services.reply(thread=thread, author=member, body="Nice")
    services.delete_post(post=post, actor=facilitator)
    assert not BlogPost.objects.exists()
    assert not Thread.objects.exists() and not Post.objects.exists()
    assert AuditEntry.objects.filter(action="blogs.delete_post").count() == 1


def test_the_setting_is_audited_only_when_it_changes(facilitator):
    chapter = facilitator.home_chapter
    blog = services.set_members_may_write(chapter=chapter, actor=facilitator, allowed=True)
    services.set_members_may_write(chapter=chapter, actor=facilitator, allowed=True)
    assert blog.members_may_write is True
    assert Blog.objects.get().members_may_write is True
    assert AuditEntry.objects.filter(action="blogs.members_may_write").count() == 1


def test_publishing_and_unpublishing_refresh_the_cached_chapter_page(
    facilitator, django_capture_on_commit_callbacks
):
    anonymous = Client()
    post = make_post(facilitator, publish=False)
    assert "Our first picnic" not in anonymous.get(HACKNEY).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_post(post=post, actor=facilitator)
    assert "Our first picnic" in anonymous.get(HACKNEY).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_post(post=post, actor=facilitator)
    assert "Our first picnic" not in anonymous.get(HACKNEY).content.decode()
    cache.clear()


def test_the_panel_shows_the_newest_three(facilitator, client):
    for number in range(5):
        make_post(facilitator, title=f"Post number {number}")
    make_post(facilitator, title="A draft", publish=False)
    page = client.get(HACKNEY).content.decode()
    assert "Post number 4" in page and "Post number 2" in page
    assert "Post number 1" not in page and "A draft" not in page
    assert "All blog posts" in page


def test_the_export_holds_the_members_posts(facilitator):
    make_post(facilitator)
    make_post(facilitator, publish=False, title="Secret")
    rows = member_selectors.export_data_for(facilitator)["blog_posts"]
    assert [row["title"] for row in rows] == ["Our first picnic", "Secret"]
    assert rows[0]["blog"] == "chapter:gb/eng/london/hackney"
    assert rows[1]["published_at"] is None


@pytest.mark.parametrize("remove_writing", [False, True])
def test_leaving_deletes_the_member_blog_and_keeps_the_chapters_posts(
    facilitator, member, remove_writing
):
    chapter_post = make_post(facilitator)
    own = make_post(facilitator, blog=selectors.blog_of_member(facilitator), title="Mine")
    discussion_services.reply(thread=comments_of(own), author=member,
                              body="Hello")
    delete_account(member=facilitator, remove_writing=remove_writing)
    assert list(BlogPost.objects.values_list("title", flat=True)) == ["Our first picnic"]
    chapter_post.refresh_from_db()
    assert chapter_post.author is None and chapter_post.body == "We met in the **park**."
    assert not Blog.objects.filter(owner__isnull=False).exists()
    assert Thread.objects.count() == 1  # the chapter post's comments only
    response = Client().get(chapter_post.get_absolute_url())
    assert "former member" in response.content.decode()


def test_an_edit_may_publish_a_draft(facilitator):
    post = make_post(facilitator, publish=False)
    services.edit_post(post=post, editor=facilitator, title="Ready", body="Done", publish=True)
    post.refresh_from_db()
    assert post.is_published and post.title == "Ready"
    assert comments_of(post).title == "Ready"
