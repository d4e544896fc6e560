"""Every branch of the discussions services."""

from datetime import timedelta

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chapterhouse.audit.models import AuditEntry
from chapterhouse.discussions import selectors, services
from chapterhouse.discussions.markup import mention_token
from chapterhouse.discussions.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Mention,
    Post,
    PostVersion,
    Thread,
)
from chapterhouse.members.services import delete_account
from chapterhouse.notifications.models import Kind, Notification

from .factories import HACKNEY, chapter_at, first_post, make_thread

pytestmark = pytest.mark.django_db


def mentions_of(member):
    return Notification.objects.filter(recipient=member, kind=Kind.MENTION)


class TestStartThread:
    def test_it_opens_a_thread_with_its_first_post(self, member):
        thread = services.start_thread(
            chapter=chapter_at(HACKNEY), author=member, title="  Meeting   place ",
            body="Library?", kind=Thread.Kind.FORUM,
        )
        thread.refresh_from_db()
        assert thread.title == "Meeting place"
        assert thread.kind == "forum"
        assert thread.created_by == member
        assert thread.post_count == 1
        assert thread.posting_rule == ""
        assert thread.subject is None and not thread.is_locked
        post = first_post(thread)
        assert post.author == member and post.body == "Library?"
        assert thread.last_post_at == post.created_at == thread.created_at

    def test_a_thread_can_start_without_a_post(self, member, neighbour):
        thread = make_thread(member, body=None, kind=Thread.Kind.COMMENTS,
                             subject=chapter_at("gb"))
        assert thread.post_count == 0 and not thread.posts.exists()
        services.reply(thread=thread, author=neighbour, body="First!")
        thread.refresh_from_db()
        assert thread.post_count == 1

    def test_the_body_is_stored_with_newlines_normalised_and_blank_lines_dropped(self, member):
        thread = make_thread(member, body="\r\n\n  indented\r\nline two\r\n\n  ")
        assert first_post(thread).body == "  indented\nline two"

    @pytest.mark.parametrize("title", ["", "   ", "x" * (TITLE_MAX_LENGTH + 1)])
    def test_a_missing_or_too_long_title_is_refused_and_nothing_stored(self, member, title):
        with pytest.raises(ValidationError) as error:
            make_thread(member, title=title)
        assert "title" in error.value.message_dict
        assert not Thread.objects.exists() and not Post.objects.exists()

    def test_a_title_of_the_longest_length_is_fine(self, member):
        assert make_thread(member, title="x" * TITLE_MAX_LENGTH).title == "x" * TITLE_MAX_LENGTH

    @pytest.mark.parametrize("body", ["", " \n\t ", "x" * (BODY_MAX_LENGTH + 1)])
    def test_an_empty_or_too_long_body_is_refused_and_nothing_stored(self, member, body):
        with pytest.raises(ValidationError) as error:
            make_thread(member, body=body)
        assert "body" in error.value.message_dict
        assert not Thread.objects.exists() and not Post.objects.exists()

    def test_the_too_long_message_says_the_limit(self, member):
        with pytest.raises(ValidationError) as error:
            make_thread(member, body="x" * (BODY_MAX_LENGTH + 1))
        assert "20,000" in error.value.message_dict["body"][0]

    def test_a_body_of_the_longest_length_is_fine(self, member):
        thread = make_thread(member, body="x" * BODY_MAX_LENGTH)
        assert len(first_post(thread).body) == BODY_MAX_LENGTH

    def test_an_unknown_kind_is_a_programming_error(self, member):
        with pytest.raises(ValueError):
            make_thread(member, kind="chat")
        assert not Thread.objects.exists()

    def test_a_posting_rule_needs_a_subject(self, member):
        with pytest.raises(ValueError):
            make_thread(member, posting_rule="discussions.anything")
        assert not Thread.objects.exists()

    def test_a_thread_can_be_about_a_subject_and_found_by_it(self, member):
        london = chapter_at("gb/eng/london")
        thread = make_thread(member, subject=london, kind=Thread.Kind.DELIBERATION)
        assert thread.subject == london
        assert selectors.thread_about(london, kind=Thread.Kind.DELIBERATION) == thread
        assert selectors.thread_about(london, kind=Thread.Kind.COMMENTS) is None

    def test_a_subject_has_at_most_one_thread_of_each_kind(self, member):
        london = chapter_at("gb/eng/london")
        make_thread(member, subject=london, kind=Thread.Kind.DELIBERATION)
        with pytest.raises(ValidationError, match="already a thread"):
            make_thread(member, subject=london, kind=Thread.Kind.DELIBERATION, title="Again")
        assert Thread.objects.count() == 1 and Post.objects.count() == 1
        make_thread(member, subject=london, kind=Thread.Kind.COMMENTS)
        assert Thread.objects.count() == 2

    def test_the_database_refuses_a_second_thread_for_the_same_subject_and_kind(self, member):
        from django.db import IntegrityError, transaction

        london = chapter_at("gb/eng/london")
        thread = make_thread(member, subject=london, kind=Thread.Kind.DELIBERATION)
        with pytest.raises(IntegrityError), transaction.atomic():
            Thread.objects.create(
                chapter=thread.chapter, title="Twin", kind=Thread.Kind.DELIBERATION,
                subject_type=thread.subject_type, subject_id=thread.subject_id,
            )

    def test_an_unsaved_subject_is_a_programming_error(self, member):
        from chapterhouse.chapters.models import Chapter

        with pytest.raises(ValueError):
            make_thread(member, subject=Chapter(name="Nowhere"))

    def test_mentions_in_the_first_post_are_notified(self, member, neighbour):
        thread = make_thread(member, body=f"Over to you {mention_token(neighbour)}")
        notice = mentions_of(neighbour).get()
        assert notice.url == first_post(thread).get_absolute_url()
        assert "Ada Member" in notice.text and thread.title in notice.text


class TestReply:
    def test_it_adds_a_post_and_counts_it_in_sql(self, thread, neighbour):
        before = thread.last_post_at
        post = services.reply(thread=thread, author=neighbour, body="The park!")
        thread.refresh_from_db()
        assert thread.post_count == 2
        assert thread.last_post_at == post.created_at > before - timedelta(seconds=1)
        assert post.thread == thread and post.author == neighbour and post.reply_to is None

    def test_the_count_is_right_from_a_stale_thread_object(self, thread, neighbour):
        stale = Thread.objects.get(pk=thread.pk)
        services.reply(thread=thread, author=neighbour, body="one")
        services.reply(thread=stale, author=neighbour, body="two")
        thread.refresh_from_db()
        assert thread.post_count == 3 == thread.posts.count()

    def test_it_can_answer_a_post_of_the_same_thread(self, thread, neighbour):
        answered = first_post(thread)
        post = services.reply(thread=thread, author=neighbour, body="Yes", reply_to=answered)
        assert Post.objects.get(pk=post.pk).reply_to == answered

    def test_a_reply_to_a_post_in_another_thread_is_refused_and_nothing_stored(
        self, thread, member, neighbour
    ):
        other = make_thread(member, title="Another thread")
        with pytest.raises(ValidationError) as error:
            services.reply(thread=thread, author=neighbour, body="Hi", reply_to=first_post(other))
        assert "same thread" in error.value.message_dict["reply_to"][0]
        thread.refresh_from_db()
        assert thread.post_count == 1 and Post.objects.filter(author=neighbour).count() == 0

    @pytest.mark.parametrize("body", ["", "   ", "x" * (BODY_MAX_LENGTH + 1)])
    def test_a_bad_body_is_refused_and_nothing_stored(self, thread, neighbour, body):
        with pytest.raises(ValidationError):
            services.reply(thread=thread, author=neighbour, body=body)
        thread.refresh_from_db()
        assert thread.post_count == 1 and thread.posts.count() == 1

    def test_a_locked_thread_takes_no_reply(self, thread, neighbour, facilitator):
        services.lock_thread(thread=thread, actor=facilitator)
        stale = Thread.objects.get(pk=thread.pk)
        stale.is_locked = False  # the lock is read from the database, not the object
        with pytest.raises(ValidationError, match="locked"):
            services.reply(thread=stale, author=neighbour, body="Late")
        assert thread.posts.count() == 1

    def test_a_deleted_thread_takes_no_reply(self, thread, neighbour):
        Thread.objects.filter(pk=thread.pk).delete()
        with pytest.raises(ValidationError, match="no longer exists"):
            services.reply(thread=thread, author=neighbour, body="Hello?")
        assert not Post.objects.exists()

    def test_too_many_mentions_are_refused(self, thread, neighbour, member):
        from chapterhouse.members.tests.factories import make_member

        people = [make_member(f"Person {i}") for i in range(services.MAX_MENTIONS + 1)]
        body = " ".join(mention_token(person) for person in people)
        with pytest.raises(ValidationError, match="at most"):
            services.reply(thread=thread, author=neighbour, body=body)
        assert thread.posts.count() == 1 and not Notification.objects.filter(
            kind=Kind.MENTION).exists()


class TestMentions:
    def test_the_mentioned_member_alone_is_told_once_per_post(
        self, thread, member, neighbour, outsider
    ):
        token = mention_token(neighbour)
        post = services.reply(thread=thread, author=member, body=f"{token} and again {token}")
        assert mentions_of(neighbour).count() == 1
        assert not mentions_of(member).exists() and not mentions_of(outsider).exists()
        assert list(Mention.objects.filter(post=post).values_list("member", flat=True)) == [
            neighbour.pk
        ]

    def test_an_author_mentioning_themselves_is_not_told(self, thread, member):
        services.reply(thread=thread, author=member, body=f"Note to {mention_token(member)}")
        assert not mentions_of(member).exists()

    def test_a_mention_in_code_or_in_a_quote_tells_nobody(self, thread, member, neighbour):
        token = mention_token(neighbour)
        services.reply(thread=thread, author=member, body=f"`{token}`\n\n    {token}\n")
        services.reply(thread=thread, author=member, body=f"> {token} said so\n\nI agree")
        assert not mentions_of(neighbour).exists()

    def test_an_unknown_or_inactive_member_is_not_told(self, thread, member, neighbour):
        neighbour.user.is_active = False
        neighbour.user.save()
        unknown = "@[Ghost](member:00000000-0000-0000-0000-000000000000)"
        services.reply(thread=thread, author=member, body=f"{unknown} {mention_token(neighbour)}")
        assert not Notification.objects.filter(kind=Kind.MENTION).exists()
        assert not Mention.objects.exists()

    def test_the_notice_is_in_the_recipients_language(self, thread, member, neighbour):
        neighbour.languages = ["es"]
        neighbour.save()
        services.reply(thread=thread, author=member, body=mention_token(neighbour))
        assert mentions_of(neighbour).count() == 1


class TestEditPost:
    def test_the_author_edits_and_the_old_body_is_kept(self, thread, member):
        post = first_post(thread)
        original = post.body
        services.edit_post(post=post, editor=member, body="The park, at six.")
        post.refresh_from_db()
        assert post.body == "The park, at six." and post.edited_at is not None
        version = PostVersion.objects.get(post=post)
        assert version.body == original and version.written_at == post.created_at
        assert version.replaced_at == post.edited_at

    def test_every_edit_keeps_the_body_it_replaced(self, thread, member):
        post = first_post(thread)
        services.edit_post(post=post, editor=member, body="second")
        first_edit = Post.objects.get(pk=post.pk).edited_at
        services.edit_post(post=post, editor=member, body="third")
        versions = list(selectors.versions_of(post))
        assert [v.body for v in versions] == ["second", "The library or the park?"]
        assert versions[0].written_at == first_edit
        assert Post.objects.get(pk=post.pk).body == "third"

    def test_an_unchanged_body_changes_nothing(self, thread, member):
        post = first_post(thread)
        services.edit_post(post=post, editor=member, body=post.body + "\n\n")
        post.refresh_from_db()
        assert post.edited_at is None and not PostVersion.objects.exists()

    def test_nobody_edits_someone_elses_post(self, thread, neighbour, facilitator):
        post = first_post(thread)
        for editor in (neighbour, facilitator):
            with pytest.raises(PermissionDenied):
                services.edit_post(post=post, editor=editor, body="Mine now")
        post.refresh_from_db()
        assert post.body == "The library or the park?" and post.edited_at is None
        assert not PostVersion.objects.exists()

    def test_the_post_of_a_former_member_cannot_be_edited(self, thread, member, neighbour):
        post = services.reply(thread=thread, author=neighbour, body="Bye")
        Post.objects.filter(pk=post.pk).update(author=None)  # as deleting the account does
        post.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.edit_post(post=post, editor=member, body="Hijack")

    def test_a_bad_body_is_refused_and_nothing_stored(self, thread, member):
        post = first_post(thread)
        for body in ["", "x" * (BODY_MAX_LENGTH + 1)]:
            with pytest.raises(ValidationError):
                services.edit_post(post=post, editor=member, body=body)
        post.refresh_from_db()
        assert post.edited_at is None and not PostVersion.objects.exists()

    def test_posts_in_a_locked_thread_cannot_be_edited(self, thread, member, facilitator):
        services.lock_thread(thread=thread, actor=facilitator)
        post = first_post(thread)
        with pytest.raises(ValidationError, match="locked"):
            services.edit_post(post=post, editor=member, body="Changed")
        assert not PostVersion.objects.exists()

    def test_a_new_mention_in_an_edit_is_told_an_old_one_is_not_told_again(
        self, thread, member, neighbour, outsider
    ):
        post = services.reply(thread=thread, author=member, body=mention_token(neighbour))
        assert mentions_of(neighbour).count() == 1
        services.edit_post(post=post, editor=member, body="No mention now")
        services.edit_post(
            post=post, editor=member,
            body=f"{mention_token(neighbour)} and {mention_token(outsider)}",
        )
        assert mentions_of(neighbour).count() == 1
        assert mentions_of(outsider).count() == 1


class TestLockThread:
    def test_locking_is_recorded_and_idempotent(self, thread, facilitator):
        services.lock_thread(thread=thread, actor=facilitator)
        services.lock_thread(thread=thread, actor=facilitator)
        thread.refresh_from_db()
        assert thread.is_locked
        entry = AuditEntry.objects.get(action__startswith="discussions.")
        assert entry.action == "discussions.lock" and entry.actor == facilitator
        assert entry.chapter == thread.chapter and entry.target_id == str(thread.pk)

    def test_unlocking_is_recorded(self, thread, facilitator):
        services.lock_thread(thread=thread, actor=facilitator)
        services.lock_thread(thread=thread, actor=facilitator, locked=False)
        services.lock_thread(thread=thread, actor=None, locked=False)
        thread.refresh_from_db()
        assert not thread.is_locked
        actions = AuditEntry.objects.filter(action__startswith="discussions.").order_by("pk")
        assert list(actions.values_list("action", flat=True)) == [
            "discussions.lock", "discussions.unlock",
        ]


class TestPostingRule:
    @pytest.fixture
    def only_ada(self):
        @rules.predicate
        def is_ada(user, subject):
            member = getattr(user, "member", None)
            return member is not None and member.display_name == "Ada Member"

        rules.add_perm("tests.deliberate", is_ada)
        yield
        rules.remove_perm("tests.deliberate")

    def test_a_thread_with_a_posting_rule_lets_the_subjects_app_decide(
        self, only_ada, member, neighbour, outsider
    ):
        thread = make_thread(
            member, subject=chapter_at("gb/eng/london"), kind=Thread.Kind.DELIBERATION,
            posting_rule="tests.deliberate",
        )
        assert member.user.has_perm("discussions.post_in_thread", thread)
        assert not neighbour.user.has_perm("discussions.post_in_thread", thread)
        assert not outsider.user.has_perm("discussions.post_in_thread", thread)


def test_a_former_members_posts_stay(thread, neighbour):
    services.reply(thread=thread, author=neighbour, body="Kept")
    delete_account(member=neighbour)
    thread.refresh_from_db()
    assert thread.post_count == 2 and thread.posts.filter(author__isnull=True).count() == 1


def test_position_and_page_of_a_post(member):
    thread = make_thread(member, replies=60)
    posts = list(thread.posts.order_by("pk"))
    assert selectors.position_of(posts[0]) == 1
    assert selectors.page_of(posts[49]) == 1
    assert selectors.page_of(posts[50]) == 2
    assert timezone.now() >= thread.last_post_at
