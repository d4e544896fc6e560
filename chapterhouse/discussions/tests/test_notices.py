"""Who is told of a new post: replies to and quotes of your post, @mentions, and
every post of a thread or forum you watch; at most one notice per member and post
(the most specific), never for your own post, never when you mute the thread or its
forum. Many watchers are told by a background task, safe to run twice."""

import pytest
from django.core.exceptions import ValidationError

from chapterhouse.discussions import services, tasks
from chapterhouse.discussions.markup import mention_token, quote
from chapterhouse.discussions.models import ForumWatch, Level, ThreadRead
from chapterhouse.members.models import User
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

from .factories import chapter_at, first_post, make_thread

pytestmark = pytest.mark.django_db


OF_POSTS = [Kind.MENTION, Kind.REPLY, Kind.QUOTE, Kind.WATCHED_POST]


def of_posts():
    """Notices about posts (members also get a welcome and others when they join)."""
    return Notification.objects.filter(kind__in=OF_POSTS)


def notices(member):
    return list(of_posts().filter(recipient=member).order_by("pk")
                .values_list("kind", flat=True))


@pytest.fixture
def third(db):
    return make_member("Theo Third", city="London", neighbourhood="Hackney")


class TestRepliesAndQuotes:
    def test_a_reply_to_your_post_tells_you(self, member, neighbour):
        thread = make_thread(member)
        post = services.reply(thread=thread, author=neighbour, body="Park!",
                              reply_to=first_post(thread))
        notice = of_posts().get(recipient=member)
        assert notice.kind == Kind.REPLY
        assert notice.url == post.get_absolute_url()
        assert "Nell Neighbour replied to you" in notice.text and thread.title in notice.text

    def test_a_quote_of_your_post_tells_you(self, member, neighbour):
        thread = make_thread(member)
        original = first_post(thread)
        services.reply(thread=thread, author=neighbour, body=quote(original) + "Agreed.",
                       reply_to=original)
        assert notices(member) == [Kind.QUOTE]

    def test_a_quote_pasted_without_the_button_tells_the_quoted(self, member, neighbour, third):
        thread = make_thread(member)
        services.reply(thread=thread, author=third, body="Me too")
        services.reply(thread=thread, author=neighbour, body=quote(first_post(thread)) + "So?")
        assert notices(member) == [Kind.QUOTE]

    def test_mention_reply_and_quote_of_one_post_make_one_notice(self, member, neighbour):
        thread = make_thread(member)
        original = first_post(thread)
        services.reply(
            thread=thread, author=neighbour, reply_to=original,
            body=quote(original) + f"Right, {mention_token(member)}.",
        )
        assert notices(member) == [Kind.QUOTE]

    def test_a_mention_alone_is_still_a_mention(self, member, neighbour):
        thread = make_thread(neighbour)
        services.reply(thread=thread, author=neighbour, body=f"Hi {mention_token(member)}")
        assert notices(member) == [Kind.MENTION]

    def test_your_own_post_never_tells_you(self, member):
        thread = make_thread(member)
        original = first_post(thread)
        services.reply(thread=thread, author=member, reply_to=original,
                       body=quote(original) + mention_token(member))
        assert notices(member) == []

    def test_a_muted_thread_tells_you_nothing(self, member, neighbour):
        thread = make_thread(member)
        services.set_thread_level(member=member, thread=thread, level=Level.MUTED)
        original = first_post(thread)
        services.reply(thread=thread, author=neighbour, reply_to=original,
                       body=quote(original) + mention_token(member))
        assert notices(member) == []

    def test_a_muted_forum_tells_you_nothing_unless_you_chose_the_thread(self, member,
                                                                         neighbour):
        thread = make_thread(member)
        services.set_forum_level(member=member, chapter=thread.chapter, level=Level.MUTED)
        services.reply(thread=thread, author=neighbour, body="x", reply_to=first_post(thread))
        assert notices(member) == []
        services.set_thread_level(member=member, thread=thread, level=Level.TRACKING)
        services.reply(thread=thread, author=neighbour, body="y", reply_to=first_post(thread))
        assert notices(member) == [Kind.REPLY]

    def test_a_deactivated_author_is_not_told(self, member, neighbour):
        thread = make_thread(member)
        User.objects.filter(pk=member.user_id).update(is_active=False)
        services.reply(thread=thread, author=neighbour, body="x", reply_to=first_post(thread))
        assert notices(member) == []


class TestWatching:
    def test_watching_a_thread_tells_you_of_every_post(self, member, neighbour, third):
        thread = make_thread(neighbour)
        services.set_thread_level(member=member, thread=thread, level=Level.WATCHING)
        post = services.reply(thread=thread, author=third, body="One")
        services.reply(thread=thread, author=neighbour, body="Two")
        assert notices(member) == [Kind.WATCHED_POST] * 2
        notice = of_posts().filter(recipient=member).order_by("pk").first()
        assert notice.url == post.get_absolute_url()
        assert "Theo Third posted in" in notice.text
        assert notices(neighbour) == []  # the starter of the thread tracks it

    def test_a_watcher_replied_to_gets_the_reply_notice_only(self, member, neighbour):
        thread = make_thread(member)
        services.set_thread_level(member=member, thread=thread, level=Level.WATCHING)
        services.reply(thread=thread, author=neighbour, body="x", reply_to=first_post(thread))
        assert notices(member) == [Kind.REPLY]

    def test_watching_a_forum_tells_you_of_new_threads_and_posts(self, member, neighbour):
        services.set_forum_level(member=member, chapter=neighbour.home_chapter,
                                 level=Level.WATCHING)
        thread = make_thread(neighbour)
        services.reply(thread=thread, author=neighbour, body="More")
        assert notices(member) == [Kind.WATCHED_POST] * 2

    def test_muting_a_thread_of_a_watched_forum_silences_it(self, member, neighbour):
        services.set_forum_level(member=member, chapter=neighbour.home_chapter,
                                 level=Level.WATCHING)
        thread = make_thread(neighbour)
        services.set_thread_level(member=member, thread=thread, level=Level.MUTED)
        services.reply(thread=thread, author=neighbour, body="More")
        assert notices(member) == [Kind.WATCHED_POST]  # the first post only

    def test_a_watched_forum_is_not_its_sub_chapters(self, member, neighbour):
        services.set_forum_level(member=member, chapter=chapter_at("gb/eng/london"),
                                 level=Level.WATCHING)
        make_thread(neighbour)
        assert notices(member) == []

    def test_many_watchers_are_told_in_the_background_once(self, monkeypatch, member,
                                                          neighbour):
        thread = make_thread(neighbour)
        watchers = [make_member(f"Watcher {i}", city="London") for i in range(5)]
        for watcher in watchers:
            services.set_thread_level(member=watcher, thread=thread, level=Level.WATCHING)
        monkeypatch.setattr(services, "WATCHERS_TOLD_AT_ONCE", 2)
        queued = []
        monkeypatch.setattr(services, "_queue_watchers",
                            lambda **kwargs: queued.append(kwargs))
        post = services.reply(thread=thread, author=member, body="To all")
        assert queued == [{"post_id": post.pk, "exclude": []}]
        assert of_posts().count() == 0  # nothing in the request
        assert tasks.notify_watchers.call(post.pk, []) == 5
        assert tasks.notify_watchers.call(post.pk, []) == 0  # safe to run twice
        assert sorted(of_posts().values_list("recipient_id", flat=True)) == sorted(
            watcher.pk for watcher in watchers)
        assert set(of_posts().values_list("kind", flat=True)) == {Kind.WATCHED_POST}

    def test_the_background_task_resumes_after_a_partial_run(self, monkeypatch, member,
                                                              neighbour):
        thread = make_thread(neighbour)
        watchers = [make_member(f"Watcher {i}", city="London") for i in range(5)]
        for watcher in watchers:
            services.set_thread_level(member=watcher, thread=thread, level=Level.WATCHING)
        monkeypatch.setattr(services, "WATCHERS_TOLD_AT_ONCE", 2)
        monkeypatch.setattr(services, "WATCHER_BATCH_SIZE", 2)
        monkeypatch.setattr(services, "_queue_watchers", lambda **kwargs: None)
        post = services.reply(thread=thread, author=member, body="To all")
        # A run that stopped after its first batch: the second tells only the rest.
        services.notify_watchers_of(post=post, exclude=[], batches=1)
        assert of_posts().count() == 2
        assert services.notify_watchers_of(post=post, exclude=[]) == 3
        assert of_posts().count() == 5

    def test_watchers_replied_to_are_left_to_their_specific_notice(self, monkeypatch, member,
                                                                   neighbour):
        thread = make_thread(neighbour)
        services.set_thread_level(member=neighbour, thread=thread, level=Level.WATCHING)
        for index in range(3):
            watcher = make_member(f"Watcher {index}", city="London")
            services.set_thread_level(member=watcher, thread=thread, level=Level.WATCHING)
        monkeypatch.setattr(services, "WATCHERS_TOLD_AT_ONCE", 1)
        post = services.reply(thread=thread, author=member, body="x",
                              reply_to=first_post(thread))
        assert notices(neighbour) == [Kind.REPLY]
        assert Notification.objects.filter(kind=Kind.WATCHED_POST, url=post.get_absolute_url()
                                           ).count() == 3


class TestLevels:
    def test_the_default_level_is_stored_as_no_choice(self, member, neighbour):
        thread = make_thread(neighbour)
        services.set_thread_level(member=member, thread=thread, level=Level.WATCHING)
        services.set_thread_level(member=member, thread=thread, level=Level.DEFAULT)
        assert ThreadRead.objects.get(member=member, thread=thread).level == ""
        services.set_forum_level(member=member, chapter=thread.chapter, level=Level.WATCHING)
        services.set_forum_level(member=member, chapter=thread.chapter, level=Level.DEFAULT)
        assert not ForumWatch.objects.exists()

    def test_a_level_keeps_the_read_state(self, member, neighbour):
        thread = make_thread(neighbour, replies=1)
        services.mark_read(member=member, thread=thread, post=first_post(thread))
        services.set_thread_level(member=member, thread=thread, level=Level.MUTED)
        row = ThreadRead.objects.get(member=member, thread=thread)
        assert (row.level, row.last_read_post_id) == (Level.MUTED, first_post(thread).pk)

    def test_a_forum_cannot_be_tracked(self, member):
        with pytest.raises(ValidationError):
            services.set_forum_level(member=member, chapter=member.home_chapter,
                                     level=Level.TRACKING)


def test_an_edit_never_tells_a_member_twice_of_one_post(member, neighbour):
    """One event per post: told of it once (here as a watcher), a later mention of
    them added by an edit tells them nothing more."""
    thread = make_thread(neighbour)
    services.set_thread_level(member=member, thread=thread, level=Level.WATCHING)
    post = services.reply(thread=thread, author=neighbour, body="Hello all")
    services.edit_post(post=post, editor=neighbour, body=f"Hello {mention_token(member)}")
    assert notices(member) == [Kind.WATCHED_POST]
