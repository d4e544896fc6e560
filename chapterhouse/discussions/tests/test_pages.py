"""The thread page, replies and quotes, edits and history, locking, mention search,
the chapter forum and the embed, for every persona."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from chapterhouse.discussions import services
from chapterhouse.discussions.markup import mention_token
from chapterhouse.discussions.models import BODY_MAX_LENGTH, Post, PostVersion, Thread
from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

from .factories import HACKNEY, chapter_at, first_post, make_thread

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, **kwargs):
    return reverse(f"discussions:{name}", kwargs=kwargs)


def test_the_urls():
    some = uuid.UUID(int=1)
    assert url("thread", public_id=some) == f"/discussions/{some}/"
    assert url("reply", public_id=some) == f"/discussions/{some}/reply/"
    assert url("lock", public_id=some) == f"/discussions/{some}/lock/"
    assert url("post", public_id=some) == f"/discussions/posts/{some}/"
    assert url("edit_post", public_id=some) == f"/discussions/posts/{some}/edit/"
    assert url("post_history", public_id=some) == f"/discussions/posts/{some}/history/"
    assert url("mentions") == "/discussions/mentions/"
    assert reverse("forums:chapter", kwargs={"url_path": ""}) == "/forums/"
    assert reverse("forums:chapter", kwargs={"url_path": HACKNEY}) == f"/forums/{HACKNEY}/"


class TestThreadPage:
    def test_a_member_reads_and_gets_the_reply_form(self, member_client, thread):
        response = member_client.get(thread.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert thread.title in page and "The library or the park?" in page
        assert f'id="reply-form-{thread.public_id}"' in page
        assert 'hx-post="' in page
        assert "js/discussions.js" in page

    @pytest.mark.parametrize(
        ("persona", "says"),
        [("client", "to take part in the discussion"),
         ("outsider_client", "Only members of Hackney can post here.")],
    )
    def test_others_read_without_a_reply_form(self, request, thread, persona, says):
        response = request.getfixturevalue(persona).get(thread.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert "The library or the park?" in page
        assert "reply-form" not in page and says in page
        assert "?quote=" not in page

    @pytest.mark.parametrize("path", [f"/discussions/{uuid.uuid4()}/", "/discussions/nope/"])
    def test_an_unknown_thread_is_a_404(self, member_client, path):
        assert member_client.get(path).status_code == 404

    def test_posts_are_paginated_by_fifty(self, member_client, member):
        thread = make_thread(member, replies=59)
        first = member_client.get(thread.get_absolute_url())
        assert len(first.context["discussion"]["posts"]) == 50
        assert 'hx-post="' not in first.content.decode()  # replies land on the last page
        assert 'rel="next"' in first.content.decode()
        second = member_client.get(thread.get_absolute_url() + "?page=2")
        posts = second.context["discussion"]["posts"]
        assert [item.number for item in posts] == list(range(51, 61))
        assert 'hx-post="' in second.content.decode()

    def test_a_former_members_post_says_so(self, client, thread, neighbour):
        post = services.reply(thread=thread, author=neighbour, body="Gone soon")
        Post.objects.filter(pk=post.pk).update(author=None)
        page = client.get(thread.get_absolute_url()).content.decode()
        assert "former member" in page and "Nell Neighbour" not in page

    def test_hostile_markup_is_inert_on_the_page(self, client, member):
        thread = make_thread(
            member, body="<script>alert(1)</script> <img src=x onerror=alert(2)> "
                         "[x](javascript:alert(3))",
        )
        page = client.get(thread.get_absolute_url()).content.decode()
        assert "<script>alert" not in page and "onerror" not in page
        assert "javascript:alert" not in page

    def test_an_edited_post_links_its_history(self, client, thread, member):
        post = first_post(thread)
        services.edit_post(post=post, editor=member, body="Changed")
        page = client.get(thread.get_absolute_url()).content.decode()
        assert url("post_history", public_id=post.public_id) in page and "edited" in page

    def test_a_mention_links_the_profile(self, client, thread, member, neighbour):
        services.reply(thread=thread, author=member, body=f"Hi {mention_token(neighbour)}")
        page = client.get(thread.get_absolute_url()).content.decode()
        assert f'href="{neighbour.get_absolute_url()}">@Nell Neighbour</a>' in page

    def test_the_author_sees_edit_links_for_their_posts_only(
        self, member_client, thread, neighbour
    ):
        other = services.reply(thread=thread, author=neighbour, body="Mine")
        page = member_client.get(thread.get_absolute_url()).content.decode()
        assert url("edit_post", public_id=first_post(thread).public_id) in page
        assert url("edit_post", public_id=other.public_id) not in page

    def test_a_thread_about_a_subject_links_it(self, client, member):
        london = chapter_at("gb/eng/london")
        thread = make_thread(member, subject=london, kind=Thread.Kind.DELIBERATION)
        page = client.get(thread.get_absolute_url()).content.decode()
        assert 'href="/c/gb/eng/london/"' in page


class TestReply:
    def test_a_member_replies_without_javascript(self, neighbour_client, thread, neighbour):
        response = neighbour_client.post(url("reply", public_id=thread.public_id),
                                         {"body": "The park!"})
        post = Post.objects.get(author=neighbour)
        assert response.status_code == 302
        assert response["Location"] == f"{thread.get_absolute_url()}#post-{post.public_id}"
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "Your post is published."
        ]

    def test_a_member_replies_with_htmx_and_gets_the_post_and_a_fresh_form(
        self, neighbour_client, thread, neighbour
    ):
        response = neighbour_client.post(
            url("reply", public_id=thread.public_id), {"body": "**The park!**"}, **HX
        )
        assert response.status_code == 200
        page = response.content.decode()
        post = Post.objects.get(author=neighbour)
        assert f'id="post-{post.public_id}"' in page and "<strong>The park!</strong>" in page
        assert 'hx-swap-oob="true"' in page and f'id="reply-form-{thread.public_id}"' in page
        assert "<html" not in page

    def test_a_reply_to_a_post_is_recorded_and_shown(self, neighbour_client, thread):
        answered = first_post(thread)
        neighbour_client.post(url("reply", public_id=thread.public_id),
                              {"body": "Yes", "reply_to": str(answered.public_id)})
        post = Post.objects.get(body="Yes")
        assert post.reply_to == answered
        page = neighbour_client.get(thread.get_absolute_url()).content.decode()
        assert "in reply to" in page

    @pytest.mark.parametrize(
        ("body", "error"),
        [("", "Write a message."), ("   \n ", "Write a message."),
         ("x" * (BODY_MAX_LENGTH + 1), "at most 20,000 characters")],
    )
    def test_a_bad_body_gets_a_clear_error_and_nothing_stored(
        self, neighbour_client, thread, body, error
    ):
        response = neighbour_client.post(url("reply", public_id=thread.public_id),
                                         {"body": body})
        assert response.status_code == 400
        assert error in response.content.decode()
        assert thread.posts.count() == 1

    def test_a_bad_body_with_htmx_replaces_the_form_with_its_errors(
        self, neighbour_client, thread
    ):
        response = neighbour_client.post(url("reply", public_id=thread.public_id),
                                         {"body": ""}, **HX)
        assert response.status_code == 200  # htmx swaps only 2xx responses
        assert response["HX-Retarget"] == f"#reply-form-{thread.public_id}"
        assert response["HX-Reswap"] == "outerHTML"
        assert "Write a message." in response.content.decode()
        assert thread.posts.count() == 1

    def test_a_reply_to_a_post_in_another_thread_is_refused(
        self, neighbour_client, thread, member
    ):
        other = make_thread(member, title="Elsewhere")
        response = neighbour_client.post(
            url("reply", public_id=thread.public_id),
            {"body": "Hi", "reply_to": str(first_post(other).public_id)},
        )
        assert response.status_code == 400
        assert "You can only reply to a post in the same thread." in response.content.decode()
        assert Post.objects.filter(body="Hi").count() == 0

    def test_a_reply_to_an_unknown_post_is_refused(self, neighbour_client, thread):
        response = neighbour_client.post(
            url("reply", public_id=thread.public_id),
            {"body": "Hi", "reply_to": str(uuid.uuid4())},
        )
        assert response.status_code == 400
        assert "no longer exists" in response.content.decode()
        assert not Post.objects.filter(body="Hi").exists()

    def test_an_outsider_may_not_reply(self, outsider_client, thread):
        response = outsider_client.post(url("reply", public_id=thread.public_id),
                                        {"body": "Bonjour"})
        assert response.status_code == 403
        assert outsider_client.get(url("reply", public_id=thread.public_id)).status_code == 403
        assert thread.posts.count() == 1

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, thread):
        response = client.post(url("reply", public_id=thread.public_id), {"body": "Hi"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert thread.posts.count() == 1

    def test_nobody_replies_in_a_locked_thread(self, facilitator_client, thread, facilitator):
        services.lock_thread(thread=thread, actor=facilitator)
        response = facilitator_client.post(url("reply", public_id=thread.public_id),
                                           {"body": "Hi"})
        assert response.status_code == 403
        assert thread.posts.count() == 1
        page = facilitator_client.get(thread.get_absolute_url()).content.decode()
        assert "This thread is locked" in page and "reply-form" not in page

    def test_extra_fields_are_ignored(self, neighbour_client, thread, neighbour, member):
        neighbour_client.post(url("reply", public_id=thread.public_id),
                              {"body": "Hi", "author": str(member.public_id), "thread": "1"})
        assert Post.objects.get(body="Hi").author == neighbour

    def test_next_brings_the_member_back_to_a_safe_page(self, neighbour_client, thread):
        response = neighbour_client.post(url("reply", public_id=thread.public_id),
                                         {"body": "Hi", "next": "/c/gb/"})
        post = Post.objects.get(body="Hi")
        assert response["Location"] == f"/c/gb/#post-{post.public_id}"
        response = neighbour_client.post(url("reply", public_id=thread.public_id),
                                         {"body": "Again", "next": "https://evil.example/"})
        assert response["Location"].startswith(thread.get_absolute_url())

    def test_a_reply_on_a_long_thread_lands_on_its_last_page(self, member_client, member):
        thread = make_thread(member, replies=55)
        response = member_client.post(url("reply", public_id=thread.public_id), {"body": "End"})
        assert "?page=2#post-" in response["Location"]


class TestQuote:
    def test_quoting_prefills_the_form_without_javascript(self, neighbour_client, thread):
        post = first_post(thread)
        response = neighbour_client.get(
            url("reply", public_id=thread.public_id) + f"?quote={post.public_id}"
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "&gt; [Ada Member](/discussions/posts/" in page
        assert "&gt; The library or the park?" in page
        assert f'value="{post.public_id}"' in page  # reply_to
        assert "<html" in page and "Ada Member wrote" in page

    def test_quoting_with_htmx_returns_the_form(self, neighbour_client, thread):
        post = first_post(thread)
        response = neighbour_client.get(
            url("reply", public_id=thread.public_id) + f"?quote={post.public_id}", **HX
        )
        page = response.content.decode()
        assert "<html" not in page and "Reply to Ada Member" in page
        assert "&gt; The library or the park?" in page

    def test_a_quoted_reply_renders_a_blockquote_linking_the_post(
        self, neighbour_client, thread
    ):
        post = first_post(thread)
        form = neighbour_client.get(
            url("reply", public_id=thread.public_id) + f"?quote={post.public_id}"
        ).context["form"]
        neighbour_client.post(
            url("reply", public_id=thread.public_id),
            {"body": form.initial["body"] + "Agreed.", "reply_to": str(post.public_id)},
        )
        page = neighbour_client.get(thread.get_absolute_url()).content.decode()
        assert "<blockquote>" in page and f'href="{post.get_absolute_url()}"' in page

    def test_quoting_on_an_earlier_page_gives_a_form_that_posts_normally(
        self, member_client, member
    ):
        thread = make_thread(member, replies=55)
        page = member_client.get(thread.get_absolute_url()).content.decode()
        assert "&amp;live=0" in page
        post = first_post(thread)
        form = member_client.get(
            url("reply", public_id=thread.public_id) + f"?quote={post.public_id}&live=0", **HX
        ).content.decode()
        assert "hx-post" not in form
        live = member_client.get(
            url("reply", public_id=thread.public_id) + f"?quote={post.public_id}", **HX
        ).content.decode()
        assert "hx-post" in live

    def test_quoting_a_post_of_another_thread_is_a_404(self, neighbour_client, thread, member):
        other = make_thread(member, title="Elsewhere")
        response = neighbour_client.get(
            url("reply", public_id=thread.public_id) + f"?quote={first_post(other).public_id}"
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("value", ["nope", str(uuid.uuid4())])
    def test_quoting_an_unknown_post_is_a_404(self, neighbour_client, thread, value):
        response = neighbour_client.get(url("reply", public_id=thread.public_id) + f"?to={value}")
        assert response.status_code == 404


class TestPermalink:
    def test_it_leads_to_the_page_and_anchor_of_the_post(self, client, member):
        thread = make_thread(member, replies=55)
        late = thread.posts.order_by("pk")[52]
        response = client.get(late.get_absolute_url())
        assert response.status_code == 302
        assert response["Location"] == (
            f"{thread.get_absolute_url()}?page=2#post-{late.public_id}"
        )
        early = first_post(thread)
        assert client.get(early.get_absolute_url())["Location"] == (
            f"{thread.get_absolute_url()}#post-{early.public_id}"
        )

    def test_an_unknown_post_is_a_404(self, client):
        assert client.get(url("post", public_id=uuid.uuid4())).status_code == 404


class TestEdit:
    def test_the_author_edits_their_post(self, member_client, thread):
        post = first_post(thread)
        edit = url("edit_post", public_id=post.public_id)
        response = member_client.get(edit)
        assert response.status_code == 200
        assert "The library or the park?" in response.content.decode()
        response = member_client.post(edit, {"body": "The park."})
        assert response.status_code == 302
        post.refresh_from_db()
        assert post.body == "The park." and PostVersion.objects.filter(post=post).count() == 1

    @pytest.mark.parametrize("persona", ["neighbour_client", "facilitator_client",
                                         "outsider_client"])
    def test_nobody_else_edits_it(self, request, thread, persona):
        post = first_post(thread)
        client = request.getfixturevalue(persona)
        edit = url("edit_post", public_id=post.public_id)
        assert client.get(edit).status_code == 403
        response = client.post(edit, {"body": "Hijacked"})
        assert response.status_code == 403
        post.refresh_from_db()
        assert post.body == "The library or the park?"
        assert not PostVersion.objects.exists()

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, thread):
        response = client.post(url("edit_post", public_id=first_post(thread).public_id),
                               {"body": "x"})
        assert response.status_code == 302
        assert first_post(thread).body == "The library or the park?"

    def test_a_bad_body_gets_a_clear_error_and_nothing_changes(self, member_client, thread):
        post = first_post(thread)
        response = member_client.post(url("edit_post", public_id=post.public_id), {"body": " "})
        assert response.status_code == 400
        assert "Write a message." in response.content.decode()
        post.refresh_from_db()
        assert post.body == "The library or the park?" and post.edited_at is None

    def test_a_locked_thread_takes_no_edit(self, member_client, thread, facilitator):
        services.lock_thread(thread=thread, actor=facilitator)
        response = member_client.post(url("edit_post", public_id=first_post(thread).public_id),
                                      {"body": "Changed"})
        assert response.status_code == 403
        assert not PostVersion.objects.exists()

    def test_an_unknown_post_is_a_404(self, member_client):
        assert member_client.get(url("edit_post", public_id=uuid.uuid4())).status_code == 404


class TestHistory:
    @pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
    def test_everyone_sees_every_version(self, request, thread, member, persona):
        post = first_post(thread)
        services.edit_post(post=post, editor=member, body="Second thoughts")
        services.edit_post(post=post, editor=member, body="Third thoughts")
        response = request.getfixturevalue(persona).get(
            url("post_history", public_id=post.public_id)
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert page.index("Third thoughts") < page.index("Second thoughts") < page.index(
            "The library or the park?"
        )

    def test_an_unknown_post_is_a_404(self, client):
        assert client.get(url("post_history", public_id=uuid.uuid4())).status_code == 404


class TestLock:
    def test_a_facilitator_locks_and_unlocks(self, facilitator_client, thread):
        lock = url("lock", public_id=thread.public_id)
        page = facilitator_client.get(thread.get_absolute_url()).content.decode()
        assert lock in page
        assert facilitator_client.post(lock, {"locked": "1"}).status_code == 302
        thread.refresh_from_db()
        assert thread.is_locked
        assert "Unlock the thread" in facilitator_client.get(
            thread.get_absolute_url()).content.decode()
        facilitator_client.post(lock, {"locked": "0"})
        thread.refresh_from_db()
        assert not thread.is_locked

    @pytest.mark.parametrize("persona", ["member_client", "neighbour_client", "outsider_client"])
    def test_others_may_not_lock(self, request, thread, persona):
        client = request.getfixturevalue(persona)
        assert url("lock", public_id=thread.public_id) not in client.get(
            thread.get_absolute_url()).content.decode()
        assert client.post(url("lock", public_id=thread.public_id)).status_code == 403
        thread.refresh_from_db()
        assert not thread.is_locked

    def test_anonymous_visitors_are_sent_to_log_in_and_get_never_locks(
        self, client, facilitator_client, thread
    ):
        assert client.post(url("lock", public_id=thread.public_id)).status_code == 302
        assert facilitator_client.get(url("lock", public_id=thread.public_id)).status_code == 405
        thread.refresh_from_db()
        assert not thread.is_locked


class TestMentionSearch:
    def test_a_member_finds_others_by_name(self, member_client, neighbour):
        response = member_client.get(url("mentions"), {"q": "nell"})
        assert response.status_code == 200
        page = response.content.decode()
        assert mention_token(neighbour) in page and "<html" in page

    def test_htmx_gets_the_suggestions(self, member_client, neighbour):
        response = member_client.get(url("mentions"), {"q": "Nell"}, **HX)
        page = response.content.decode()
        assert f'data-mention-token="{mention_token(neighbour)}"' in page
        assert "<html" not in page

    def test_hidden_and_unlisted_members_are_not_found(self, member_client, neighbour):
        neighbour.profile_visibility = Visibility.HIDDEN
        neighbour.save()
        make_member("Nell Unlisted").__class__.objects.filter(
            display_name="Nell Unlisted").update(listed_in_directory=False)
        response = member_client.get(url("mentions"), {"q": "Nell"}, **HX)
        assert response.context["rows"] == []
        assert "No member by that name." in response.content.decode()

    def test_names_match_by_the_start_of_any_word_the_nearest_first(
            self, member_client, member, thread):
        from chapterhouse.discussions.services import reply

        far = make_member("Harnett Lee", city="Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                          country=("FR", "France"))
        make_member("Ada Harrow", city="Leeds")
        make_member("Haruto Tanaka", city="London", neighbourhood="Hackney")
        make_member("Eberhardt Stone", city="London")
        make_member("Richardson Cole", city="London")

        def names(**query):
            response = member_client.get(url("mentions"), query, **HX)
            return [row["member"].display_name for row in response.context["rows"]]

        # Before: "@Har" listed Eberhardt, Harnett, Richardson… by name, never Haruto.
        assert names(q="Har") == ["Haruto Tanaka", "Ada Harrow", "Harnett Lee"]
        assert names(q="haruto ta") == ["Haruto Tanaka"]
        # Those who posted in the thread come first.
        reply(thread=thread, author=far, body="Hello from Lyon")
        assert names(q="Har", thread=str(thread.public_id))[0] == "Harnett Lee"
        assert names(q="Har", thread="not-a-thread") == names(q="Har")

    def test_the_reply_form_sends_its_thread_to_the_mention_search(self, member_client, thread):
        page = member_client.get(url("thread", public_id=thread.public_id)).content.decode()
        assert f'hx-vals="{{&quot;thread&quot;: &quot;{thread.public_id}&quot;}}"' in page

    def test_an_empty_query_finds_nobody(self, member_client, neighbour):
        assert member_client.get(url("mentions"), {"q": "  "}).context["rows"] == []

    def test_an_outsider_may_search_too(self, outsider_client, neighbour):
        assert len(outsider_client.get(url("mentions"), {"q": "Nell"}).context["rows"]) == 1

    def test_anonymous_visitors_are_sent_to_log_in(self, client, neighbour):
        response = client.get(url("mentions"), {"q": "Nell"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_a_mention_through_the_page_notifies_the_member(
        self, member_client, thread, neighbour, outsider
    ):
        member_client.post(url("reply", public_id=thread.public_id),
                           {"body": f"What do you think, {mention_token(neighbour)}?"})
        notices = Notification.objects.filter(kind=Kind.MENTION)
        assert [n.recipient for n in notices] == [neighbour]


FORUM = f"/forums/{HACKNEY}/"


class TestForum:
    @pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client",
                                         "facilitator_client"])
    def test_everyone_sees_the_forum(self, request, thread, persona):
        response = request.getfixturevalue(persona).get(FORUM)
        assert response.status_code == 200
        page = response.content.decode()
        assert thread.title in page and thread.get_absolute_url() in page
        nav = {section["key"]: section for section in response.context["nav"]}
        assert nav["forums"]["active"] and nav["forums"]["url"] == FORUM
        assert 'class="breadcrumb"' in page

    def test_the_chapter_navigation_links_the_forum(self, client, member):
        nav = {s["key"]: s for s in client.get("/c/gb/").context["nav"]}
        assert nav["forums"]["url"] == "/forums/gb/"

    def test_international_has_a_forum(self, client, member):
        assert client.get("/forums/").status_code == 200

    @pytest.mark.parametrize("path", ["/forums/zz/", "/forums/gb/eng/nowhere/"])
    def test_an_unknown_chapter_is_a_404(self, client, member, path):
        assert client.get(path).status_code == 404

    def test_only_forum_threads_of_this_very_chapter_are_listed(self, client, member, thread):
        make_thread(member, chapter=chapter_at("gb/eng/london"), title="A London thread")
        make_thread(member, title="A deliberation", subject=chapter_at("gb"),
                    kind=Thread.Kind.DELIBERATION)
        threads = list(client.get(FORUM).context["page_obj"])
        assert threads == [thread]

    def test_a_member_starts_a_thread(self, member_client, member):
        page = member_client.get(FORUM).content.decode()
        assert "Start the thread" in page
        response = member_client.post(FORUM, {"title": "Picnic", "body": "Saturday?"})
        thread = Thread.objects.get(title="Picnic")
        assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
        assert thread.chapter.url_path == HACKNEY and thread.kind == Thread.Kind.FORUM
        assert thread.created_by == member

    @pytest.mark.parametrize(
        ("data", "error"),
        [({"title": "", "body": "x"}, "Give the thread a title."),
         ({"title": "x" * 201, "body": "x"}, "at most 200 characters"),
         ({"title": "Ok", "body": ""}, "Write a message."),
         ({"title": "Ok", "body": "x" * (BODY_MAX_LENGTH + 1)}, "at most 20,000 characters")],
    )
    def test_bad_input_gets_a_clear_error_and_nothing_stored(self, member_client, data, error):
        response = member_client.post(FORUM, data)
        assert response.status_code == 400
        assert error in response.content.decode()
        assert not Thread.objects.exists()

    def test_an_outsider_may_not_start_a_thread(self, outsider_client, member):
        page = outsider_client.get(FORUM).content.decode()
        assert "Start the thread" not in page
        assert "Only members of this chapter can start a thread here." in page
        assert outsider_client.post(FORUM, {"title": "Hi", "body": "x"}).status_code == 403
        assert not Thread.objects.exists()

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, member):
        page = client.get(FORUM).content.decode()
        assert "to start a thread" in page
        response = client.post(FORUM, {"title": "Hi", "body": "x"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not Thread.objects.exists()

    def test_the_list_is_paginated(self, client, member):
        for index in range(52):
            make_thread(member, title=f"Thread {index}")
        response = client.get(FORUM)
        assert len(response.context["page_obj"]) == 50
        assert len(client.get(FORUM + "?page=2").context["page_obj"]) == 2


class TestEmbed:
    TEMPLATE = Template('{% include "discussions/_thread_embed.html" with thread=thread %}')

    def render(self, thread, user):
        request = RequestFactory().get("/decisions/some-proposal/")
        request.user = user
        request.htmx = False  # type: ignore[attr-defined]
        return self.TEMPLATE.render(Context({"thread": thread, "request": request,
                                             "user": user}))

    def test_it_shows_the_posts_and_a_reply_form_that_comes_back(self, member, thread):
        page = self.render(thread, member.user)
        assert "The library or the park?" in page
        assert f'id="reply-form-{thread.public_id}"' in page
        assert 'name="next" value="/decisions/some-proposal/"' in page

    def test_it_shows_no_form_to_an_outsider(self, outsider, thread):
        page = self.render(thread, outsider.user)
        assert "The library or the park?" in page and "reply-form" not in page

    def test_a_long_thread_links_to_the_rest(self, member):
        thread = make_thread(member, replies=55)
        page = self.render(thread, member.user)
        assert "Read all 56 posts in the thread" in page
        assert 'name="next"' not in page  # the reply lands on the thread's last page

    def test_an_empty_thread_invites_the_first_post(self, member, neighbour):
        thread = make_thread(member, body=None, kind=Thread.Kind.COMMENTS,
                             subject=chapter_at("gb"))
        page = self.render(thread, neighbour.user)
        assert "0 posts" in page and f'id="reply-form-{thread.public_id}"' in page

    def test_nothing_is_shown_without_a_thread(self, member):
        assert self.render(None, member.user).strip() == ""
