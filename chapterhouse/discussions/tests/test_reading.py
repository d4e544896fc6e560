"""What is new for a member: read state (one ThreadRead row per member and thread),
the "N posts, N new" counts of the forum list, the jump to the first unread post,
and marking read as the member reads (on view, and by the mark-read endpoint)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from chapterhouse.discussions import selectors, services
from chapterhouse.discussions.models import Level, Post, ThreadRead
from chapterhouse.members.models import Member

from .factories import HACKNEY, first_post, make_thread

pytestmark = pytest.mark.django_db

FORUM = f"/forums/{HACKNEY}/"


def posts_in(thread) -> list[Post]:
    return list(thread.posts.order_by("pk"))


def last_read(member, thread) -> int | None:
    row = ThreadRead.objects.filter(member=member, thread=thread).first()
    return None if row is None else row.last_read_post_id


def row_of(response, thread):
    return next(row for row in response.context["rows"] if row.thread.pk == thread.pk)


class TestMarkRead:
    def test_it_stores_one_row_that_only_moves_forward(self, member, neighbour):
        thread = make_thread(neighbour, replies=3)
        first, second, third, fourth = posts_in(thread)
        services.mark_read(member=member, thread=thread, post=third)
        services.mark_read(member=member, thread=thread, post=second)
        assert last_read(member, thread) == third.pk
        services.mark_read(member=member, thread=thread, post=fourth)
        assert last_read(member, thread) == fourth.pk
        assert ThreadRead.objects.filter(member=member).count() == 1

    def test_a_post_of_another_thread_is_refused(self, member, neighbour):
        thread = make_thread(neighbour)
        other = make_thread(neighbour, title="Elsewhere")
        with pytest.raises(ValidationError):
            services.mark_read(member=member, thread=thread, post=first_post(other))
        assert not ThreadRead.objects.filter(member=member).exists()

    def test_your_own_posts_are_read(self, member, neighbour):
        thread = make_thread(neighbour, replies=2)
        post = services.reply(thread=thread, author=member, body="Mine")
        assert last_read(member, thread) == post.pk
        started = make_thread(member, title="My own")
        assert last_read(member, started) == first_post(started).pk


class TestCounts:
    def test_the_forum_list_says_how_many_posts_are_new(self, member_client, member, neighbour):
        thread = make_thread(neighbour, replies=2)
        services.mark_read(member=member, thread=thread, post=posts_in(thread)[0])
        response = member_client.get(FORUM)
        row = row_of(response, thread)
        assert (row.thread.post_count, row.new) == (3, 2)
        assert "3 posts, 2 new" in strip_tags(response.content.decode())

    def test_the_forum_heading_and_tab_count_every_new_post(self, member_client, member,
                                                            neighbour):
        make_thread(neighbour, replies=2)
        make_thread(neighbour, title="Another", replies=1)
        response = member_client.get(FORUM)
        assert response.context["forum_new"] == 5
        page = response.content.decode()
        assert "5 new posts" in page
        assert 'class="new-count"' in page.split('class="chapter-nav')[1].split("</nav>")[0]

    def test_posts_from_before_you_joined_are_not_new(self, member_client, member, neighbour):
        old = make_thread(neighbour, replies=1)
        Member.objects.filter(pk=member.pk).update(joined_at=timezone.now() + timedelta(seconds=1))
        member_client.force_login(member.user)
        assert row_of(member_client.get(FORUM), old).new == 0

    def test_a_thread_you_never_opened_counts_every_post_since_you_joined(
            self, member_client, neighbour):
        thread = make_thread(neighbour, replies=1)
        assert row_of(member_client.get(FORUM), thread).new == 2

    def test_a_muted_thread_or_forum_counts_nothing(self, member_client, member, neighbour):
        thread = make_thread(neighbour, replies=1)
        services.set_thread_level(member=member, thread=thread, level=Level.MUTED)
        response = member_client.get(FORUM)
        assert row_of(response, thread).new == 0 and response.context["forum_new"] == 0
        services.set_thread_level(member=member, thread=thread, level=Level.DEFAULT)
        services.set_forum_level(member=member, chapter=thread.chapter, level=Level.MUTED)
        response = member_client.get(FORUM)
        assert row_of(response, thread).new == 0 and response.context["forum_new"] == 0

    def test_visitors_see_no_new_counts(self, client, neighbour):
        make_thread(neighbour, replies=1)
        response = client.get(FORUM)
        assert "new" not in response.content.decode().split('id="threads-heading"')[1].split(
            "</table>")[0]


class TestJumpToFirstUnread:
    def test_the_link_goes_to_the_first_unread_post_on_its_page(self, member_client, member,
                                                                 neighbour):
        thread = make_thread(neighbour, replies=59)
        posts = posts_in(thread)
        services.mark_read(member=member, thread=thread, post=posts[51])
        row = row_of(member_client.get(FORUM), thread)
        assert row.new == 8
        assert row.first_unread_url == (
            f"{thread.get_absolute_url()}?page=2#post-{posts[52].public_id}")

    def test_on_the_first_page_there_is_no_page_number(self, member_client, member, neighbour):
        thread = make_thread(neighbour, replies=3)
        posts = posts_in(thread)
        services.mark_read(member=member, thread=thread, post=posts[0])
        row = row_of(member_client.get(FORUM), thread)
        assert row.first_unread_url == f"{thread.get_absolute_url()}#post-{posts[1].public_id}"
        assert f'href="{row.first_unread_url}"' in member_client.get(FORUM).content.decode()

    def test_nothing_new_no_link(self, member_client, member, neighbour):
        thread = make_thread(neighbour)
        services.mark_read(member=member, thread=thread, post=first_post(thread))
        assert row_of(member_client.get(FORUM), thread).first_unread_url == ""


class TestMarkedAsYouRead:
    def test_viewing_a_page_marks_its_posts_read_and_no_further(self, member_client, member,
                                                                 neighbour):
        thread = make_thread(neighbour, replies=59)
        posts = posts_in(thread)
        page = member_client.get(thread.get_absolute_url()).content.decode()
        assert last_read(member, thread) == posts[49].pk
        assert "60 posts, 60 new" in strip_tags(page)
        assert page.count('class="post unread"') == 50
        second = member_client.get(thread.get_absolute_url() + "?page=2").content.decode()
        assert last_read(member, thread) == posts[-1].pk
        assert "10 new" in second
        again = member_client.get(thread.get_absolute_url() + "?page=2").content.decode()
        assert 'class="post unread"' not in again

    def test_the_first_unread_post_is_marked_on_the_page(self, member_client, member, neighbour):
        thread = make_thread(neighbour, replies=2)
        posts = posts_in(thread)
        services.mark_read(member=member, thread=thread, post=posts[0])
        page = member_client.get(thread.get_absolute_url()).content.decode()
        assert page.index('id="first-unread"') < page.index(f'id="post-{posts[1].public_id}"')
        assert page.index('id="first-unread"') > page.index(f'id="post-{posts[0].public_id}"')

    def test_visitors_mark_nothing(self, client, neighbour):
        thread = make_thread(neighbour)
        assert client.get(thread.get_absolute_url()).status_code == 200
        assert not ThreadRead.objects.exclude(member=neighbour).exists()

    def test_the_embedded_thread_marks_its_posts_read(self, rf, member, neighbour):
        from django.template import Context, Template

        thread = make_thread(neighbour, replies=1)
        request = rf.get("/somewhere/")
        request.user = member.user
        request.htmx = False
        Template('{% include "discussions/_thread_embed.html" %}').render(
            Context({"thread": thread, "request": request, "user": member.user}))
        assert last_read(member, thread) == posts_in(thread)[-1].pk


class TestMarkReadEndpoint:
    def url(self, thread):
        return reverse("discussions:mark_read", kwargs={"public_id": thread.public_id})

    def test_a_member_advances_their_read_post(self, member_client, member, neighbour):
        thread = make_thread(neighbour, replies=2)
        posts = posts_in(thread)
        response = member_client.post(self.url(thread), {"post": str(posts[1].public_id)})
        assert response.status_code == 204
        assert last_read(member, thread) == posts[1].pk

    def test_an_outsider_marks_only_their_own_reading(self, outsider_client, outsider, member,
                                                      neighbour):
        thread = make_thread(neighbour, replies=1)
        post = posts_in(thread)[-1]
        services.mark_read(member=member, thread=thread, post=first_post(thread))
        assert outsider_client.post(self.url(thread), {"post": str(post.public_id)}
                                    ).status_code == 204
        assert last_read(outsider, thread) == post.pk
        assert last_read(member, thread) == first_post(thread).pk

    def test_visitors_are_sent_to_log_in(self, client, neighbour):
        thread = make_thread(neighbour)
        response = client.post(self.url(thread), {"post": str(first_post(thread).public_id)})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not ThreadRead.objects.exclude(member=neighbour).exists()

    def test_a_post_of_another_thread_is_a_400(self, member_client, member, neighbour):
        thread = make_thread(neighbour)
        other = make_thread(neighbour, title="Other")
        response = member_client.post(self.url(thread), {"post": str(first_post(other).public_id)})
        assert response.status_code == 400
        assert not ThreadRead.objects.filter(member=member).exists()

    @pytest.mark.parametrize("value", ["", "nope", "00000000-0000-0000-0000-000000000001"])
    def test_a_missing_or_unknown_post_is_a_400(self, member_client, neighbour, value):
        thread = make_thread(neighbour)
        assert member_client.post(self.url(thread), {"post": value}).status_code == 400

    def test_an_unknown_thread_is_a_404_and_get_is_refused(self, member_client, neighbour):
        thread = make_thread(neighbour)
        assert member_client.get(self.url(thread)).status_code == 405
        gone = reverse("discussions:mark_read",
                       kwargs={"public_id": "00000000-0000-0000-0000-000000000002"})
        assert member_client.post(gone, {"post": str(first_post(thread).public_id)}
                                  ).status_code == 404


def test_reader_state_is_one_query(member, neighbour, django_assert_num_queries):
    thread = make_thread(neighbour, replies=2)
    services.mark_read(member=member, thread=thread, post=first_post(thread))
    with django_assert_num_queries(1):
        state = selectors.reader_state(member, thread)
    assert state.new == 2 and state.level == Level.TRACKING and not state.chosen
