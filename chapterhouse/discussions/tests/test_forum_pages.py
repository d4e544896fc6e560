"""The forum features on the pages: watch / track / mute controls (POST + redirect,
no JavaScript needed), the preview before posting (without JavaScript and with htmx),
and each post's author with their online state and join date."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chapterhouse.discussions.models import ForumWatch, Level, Post, Thread, ThreadRead
from chapterhouse.members.models import Member, User

from .factories import HACKNEY, first_post, make_thread

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
FORUM = f"/forums/{HACKNEY}/"


def thread_level_url(thread):
    return reverse("discussions:level", kwargs={"public_id": thread.public_id})


def forum_level_url(path=HACKNEY):
    return reverse("forums:level", kwargs={"url_path": path})


class TestThreadLevel:
    def test_the_thread_page_offers_the_levels_with_the_current_one(self, member_client,
                                                                   thread):
        page = member_client.get(thread.get_absolute_url()).content.decode()
        assert f'action="{thread_level_url(thread)}"' in page
        for level in ("watching", "tracking", "muted"):
            assert f'value="{level}"' in page
        assert 'aria-pressed="true"' in page.split('value="tracking"')[1][:80]

    def test_a_member_watches_a_thread_and_comes_back(self, member_client, member, thread):
        response = member_client.post(thread_level_url(thread), {"level": "watching"})
        assert response.status_code == 302
        assert response["Location"] == thread.get_absolute_url()
        assert ThreadRead.objects.get(member=member, thread=thread).level == Level.WATCHING
        page = member_client.get(response["Location"]).content.decode()
        assert "You are watching this thread" in page

    def test_an_outsider_may_follow_a_thread_they_can_read(self, outsider_client, outsider,
                                                          thread):
        assert outsider_client.post(thread_level_url(thread), {"level": "muted"}
                                    ).status_code == 302
        assert ThreadRead.objects.get(member=outsider).level == Level.MUTED
        assert not ThreadRead.objects.exclude(member=outsider).exclude(level="").exists()

    def test_visitors_are_sent_to_log_in(self, client, thread):
        response = client.post(thread_level_url(thread), {"level": "watching"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not ThreadRead.objects.exclude(level="").exists()

    def test_get_changes_nothing(self, member_client, thread):
        assert member_client.get(thread_level_url(thread)).status_code == 405

    @pytest.mark.parametrize("value", ["", "loud", "normal"])
    def test_an_unknown_level_is_refused(self, member_client, member, thread, value):
        response = member_client.post(thread_level_url(thread), {"level": value})
        assert response.status_code == 302
        assert not ThreadRead.objects.filter(member=member).exclude(level="").exists()

    def test_an_unknown_thread_is_a_404(self, member_client):
        url = reverse("discussions:level",
                      kwargs={"public_id": "00000000-0000-0000-0000-000000000003"})
        assert member_client.post(url, {"level": "watching"}).status_code == 404


class TestForumLevel:
    def test_the_forum_page_offers_watch_and_mute(self, member_client):
        page = member_client.get(FORUM).content.decode()
        assert f'action="{forum_level_url()}"' in page
        assert 'value="watching"' in page and 'value="muted"' in page

    def test_a_member_watches_a_forum(self, member_client, member):
        response = member_client.post(forum_level_url(), {"level": "watching"})
        assert response.status_code == 302 and response["Location"] == FORUM
        assert ForumWatch.objects.get(member=member).chapter.url_path == HACKNEY
        assert "You are watching this forum" in member_client.get(FORUM).content.decode()

    def test_an_outsider_may_mute_a_forum_they_can_read(self, outsider_client, outsider, member):
        assert outsider_client.post(forum_level_url(), {"level": "muted"}).status_code == 302
        assert ForumWatch.objects.get().member == outsider

    def test_visitors_are_sent_to_log_in(self, client):
        response = client.post(forum_level_url(), {"level": "watching"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not ForumWatch.objects.exists()

    def test_international_has_one_and_an_unknown_chapter_is_a_404(self, member_client):
        assert member_client.post(forum_level_url(""), {"level": "watching"}
                                  ).status_code == 302
        assert member_client.post(forum_level_url("xx/nowhere"), {"level": "watching"}
                                  ).status_code == 404

    def test_get_changes_nothing(self, member_client):
        assert member_client.get(forum_level_url()).status_code == 405


class TestPreview:
    def reply_url(self, thread):
        return reverse("discussions:reply", kwargs={"public_id": thread.public_id})

    BODY = "**Bold** move <script>alert(1)</script> [x](javascript:alert(2))"

    def test_without_javascript_the_preview_shows_above_the_form_with_the_text_kept(
            self, member_client, thread):
        response = member_client.post(self.reply_url(thread),
                                      {"body": self.BODY, "preview": "1"})
        assert response.status_code == 200
        page = response.content.decode()
        preview = page.split('class="post-preview')[1]
        assert "<strong>Bold</strong>" in preview.split("</section>")[0]
        assert "<script>" not in page and "javascript:alert" not in preview.split("</section>")[0]
        assert page.index('class="post-preview') < page.index("<textarea")
        assert "**Bold** move &lt;script&gt;" in page.split("<textarea")[1]  # the text kept
        assert thread.posts.count() == 1  # nothing posted

    def test_the_preview_renders_exactly_as_the_post_will(self, member_client, member,
                                                          neighbour, thread):
        from chapterhouse.discussions.markup import mention_token
        from chapterhouse.discussions.selectors import preview_html, render_post

        body = f"Hello {mention_token(neighbour)}, see *this*"
        shown = preview_html(body)
        member_client.post(self.reply_url(thread), {"body": body})
        post = Post.objects.get(body=body)
        assert shown == render_post(post)
        assert 'class="mention"' in shown

    def test_with_htmx_the_form_comes_back_in_place_with_the_preview(self, member_client,
                                                                     thread):
        response = member_client.post(self.reply_url(thread),
                                      {"body": "*hi*", "preview": "1"}, **HX)
        assert response.status_code == 200
        page = response.content.decode()
        assert f'id="reply-form-{thread.public_id}"' in page
        assert "<em>hi</em>" in page and "<html" not in page
        assert response["HX-Retarget"] == f"#reply-form-{thread.public_id}"
        assert response["HX-Reswap"] == "outerHTML"
        assert thread.posts.count() == 1

    def test_an_empty_preview_says_what_is_wrong(self, member_client, thread):
        response = member_client.post(self.reply_url(thread), {"body": " ", "preview": "1"})
        assert response.status_code == 400
        assert "Write a message." in response.content.decode()

    def test_the_reply_form_has_a_preview_button(self, member_client, thread):
        page = member_client.get(thread.get_absolute_url()).content.decode()
        form = page.split(f'id="reply-form-{thread.public_id}"')[1].split("</form>")[0]
        assert 'name="preview" value="1"' in form

    def test_a_new_thread_can_be_previewed_without_javascript(self, member_client):
        response = member_client.post(FORUM, {"title": "Picnic", "body": "_soon_",
                                              "preview": "1"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "<em>soon</em>" in page.split('class="post-preview')[1]
        assert 'value="Picnic"' in page
        assert not Thread.objects.filter(title="Picnic").exists()

    def test_outsiders_cannot_preview_where_they_cannot_post(self, outsider_client, thread):
        response = outsider_client.post(self.reply_url(thread), {"body": "x", "preview": "1"})
        assert response.status_code == 403


class TestAuthorPresence:
    def page(self, client, thread):
        return client.get(thread.get_absolute_url()).content.decode()

    def test_an_author_seen_a_minute_ago_is_online(self, member_client, neighbour):
        Member.objects.filter(pk=neighbour.pk).update(
            last_seen=timezone.now() - timedelta(minutes=1))
        thread = make_thread(neighbour)
        meta = self.page(member_client, thread).split('class="post-meta"')[1]
        assert 'class="presence online"' in meta.split("</header>")[0]

    def test_an_author_who_never_signed_in_shows_offline_never_signed_in(self, member_client,
                                                                        neighbour):
        thread = make_thread(neighbour)
        meta = self.page(member_client, thread).split('class="post-meta"')[1].split("</header>")[0]
        assert 'class="presence offline"' in meta and "never signed in" in meta

    def test_an_author_seen_long_ago_is_offline(self, member_client, neighbour):
        Member.objects.filter(pk=neighbour.pk).update(
            last_seen=timezone.now() - timedelta(days=2))
        thread = make_thread(neighbour)
        meta = self.page(member_client, thread).split('class="post-meta"')[1].split("</header>")[0]
        assert 'class="presence offline"' in meta and "never signed in" not in meta

    def test_each_post_shows_when_its_author_joined(self, member_client, neighbour):
        Member.objects.filter(pk=neighbour.pk).update(
            joined_at=timezone.now().replace(year=2023, month=3, day=14))
        thread = make_thread(neighbour)
        meta = self.page(member_client, thread).split('class="post-meta"')[1].split("</header>")[0]
        assert "Joined March 2023" in meta

    def test_a_hidden_presence_is_not_shown(self, member_client, neighbour):
        Member.objects.filter(pk=neighbour.pk).update(show_presence=False)
        thread = make_thread(neighbour)
        assert 'class="presence' not in self.page(member_client, thread)

    def test_visitors_see_no_presence_of_members_only_profiles(self, client, neighbour):
        thread = make_thread(neighbour)
        assert 'class="presence' not in self.page(client, thread)

    def test_a_deactivated_author_shows_no_presence(self, member_client, neighbour):
        thread = make_thread(neighbour)
        User.objects.filter(pk=neighbour.user_id).update(is_active=False)
        assert 'class="presence' not in self.page(member_client, thread)


def test_your_own_thread_has_nothing_new(member_client, thread):
    assert first_post(thread).author == thread.created_by
    assert 'id="first-unread"' not in member_client.get(thread.get_absolute_url()
                                                        ).content.decode()
