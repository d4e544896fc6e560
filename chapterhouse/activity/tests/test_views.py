import json

import pytest
from django.urls import reverse

from chapterhouse.activity import services
from chapterhouse.activity.models import FeedVisit, Follow, Kind
from chapterhouse.activity.tests.factories import past_decision, record
from chapterhouse.chapters.models import Chapter
from chapterhouse.members.services import delete_account
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.projects.tests.factories import make_group
from chapterhouse.resources.tests.factories import make_lesson

pytestmark = pytest.mark.django_db


def _chapter_url(member) -> str:
    return member.home_chapter.get_absolute_url()


class TestFeed:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        response = client.get("/activity/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_follow_a_chapter_then_see_its_decision(self, member_client, outsider):
        decision = past_decision(outsider, title="Open a tool library")
        record(decision)
        assert "Open a tool library" not in member_client.get("/activity/").content.decode()
        response = member_client.post(
            reverse("activity:follow_chapter", kwargs={"url_path": outsider.home_chapter.url_path}))
        assert response.status_code == 302
        page = member_client.get("/activity/").content.decode()
        assert "decided: <bdi>Open a tool library</bdi>" in page

    def test_the_home_page_shows_the_feed_in_the_readers_language(self, member, member_client):
        record(make_lesson(member, title="Door knocking works"))
        page = member_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "shared a lesson: <bdi>Door knocking works</bdi>" in page
        assert FeedVisit.objects.filter(member=member).exists()

    def test_the_home_page_shows_new_activity_and_new_follows_at_once(
            self, member, member_client, outsider, django_assert_num_queries):
        record(make_lesson(member, title="Door knocking works"))
        assert "Door knocking works" in member_client.get("/").content.decode()
        record(make_lesson(member, title="Phone banking works too"))
        page = member_client.get("/").content.decode()
        assert "Phone banking works too" in page and "Door knocking works" in page
        record(past_decision(outsider, title="Open a tool library"))
        assert "Open a tool library" not in member_client.get("/").content.decode()
        services.follow(member=member, chapter=outsider.home_chapter)
        assert "Open a tool library" in member_client.get("/").content.decode()

    def test_the_home_page_reads_the_feed_from_the_cache_when_nothing_happened(
            self, member, member_client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        record(make_lesson(member, title="Door knocking works"))
        member_client.get("/")
        with CaptureQueriesContext(connection) as queries:
            page = member_client.get("/").content.decode()
        assert "Door knocking works" in page
        assert not any('FROM "activity_activity"' in query["sql"]
                       for query in queries.captured_queries)

    def test_a_line_escapes_what_members_wrote_and_isolates_its_direction(
            self, member, member_client):
        record(make_lesson(member, title="<b>Bold</b> دروس"))
        page = member_client.get("/activity/").content.decode()
        assert "<bdi>&lt;b&gt;Bold&lt;/b&gt; دروس</bdi>" in page and "<b>Bold" not in page

    def test_since_your_last_visit_divides_the_new_from_the_seen(self, member, member_client):
        record(make_lesson(member, title="Old lesson"))
        member_client.get("/activity/")
        record(make_lesson(member, title="New lesson"))
        page = member_client.get("/activity/").content.decode()
        assert page.index("New lesson") < page.index("new since your last visit") \
            < page.index("Old lesson")
        # Seen now: no divider the next time.
        assert "new since your last visit" not in member_client.get("/activity/").content.decode()

    def test_members_only_items_never_show_to_outsiders(self, member, outsider_client,
                                                        outsider, neighbour_client):
        record(make_entry(member, title="A members-only lift"))
        services.follow(member=outsider, chapter=member.home_chapter)
        assert "A members-only lift" not in outsider_client.get("/activity/").content.decode()
        assert "A members-only lift" in neighbour_client.get("/activity/").content.decode()

    def test_the_feed_costs_the_same_queries_with_more_items(
            self, member, member_client, outsider, django_assert_max_num_queries):
        services.follow(member=member, chapter=outsider.home_chapter)
        record(make_lesson(member))
        record(past_decision(outsider))
        member_client.get("/activity/")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            assert member_client.get("/activity/").status_code == 200
        with CaptureQueriesContext(connection) as few_home:
            assert member_client.get("/").status_code == 200
        for n in range(5):
            record(make_lesson(member, title=f"Lesson {n}"))
            record(make_lesson(outsider, title=f"Their lesson {n}"))
            record(make_entry(member, title=f"Lift {n}"))
        with django_assert_max_num_queries(len(few)):
            assert member_client.get("/activity/").status_code == 200
        with django_assert_max_num_queries(len(few_home)):
            assert member_client.get("/").status_code == 200


class TestPulse:
    def test_anyone_sees_public_decisions_and_lessons(self, client, member, outsider):
        record(past_decision(outsider, title="Open a tool library"))
        record(make_lesson(member, title="Door knocking works"))
        record(make_entry(member, title="A members-only lift"))
        page = client.get("/activity/chapters/").content.decode()
        assert "Open a tool library" in page and "Door knocking works" in page
        assert "A members-only lift" not in page

    def test_it_filters_by_place_and_below_and_by_kind(self, client, member, outsider):
        record(past_decision(outsider, title="Open a tool library"))
        record(make_lesson(member, title="Door knocking works"))
        country = Chapter.objects.containing(member.home_chapter).order_by("depth")[1]
        page = client.get("/activity/chapters/", {"place": country.url_path}).content.decode()
        assert "Door knocking works" in page and "Open a tool library" not in page
        page = client.get("/activity/chapters/", {"kind": Kind.DECISION}).content.decode()
        assert "Open a tool library" in page and "Door knocking works" not in page

    def test_an_unknown_kind_is_a_400_and_an_unknown_place_a_404(self, client):
        assert client.get("/activity/chapters/", {"kind": "gossip"}).status_code == 400
        assert client.get("/activity/chapters/", {"kind": Kind.AID_REQUEST}).status_code == 400
        assert client.get("/activity/chapters/", {"place": "zz/nowhere"}).status_code == 404
        assert client.get("/activity/chapters/", {"place": "x" * 500}).status_code == 400

    def test_it_costs_the_same_queries_with_more_items(self, client, member, outsider,
                                                       django_assert_max_num_queries):
        record(make_lesson(member))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get("/activity/chapters/")
        for n in range(5):
            record(make_lesson(outsider, title=f"Lesson {n}"))
            record(past_decision(outsider, title=f"Decision {n}"))
        with django_assert_max_num_queries(len(few)):
            assert client.get("/activity/chapters/").status_code == 200


class TestAtom:
    def test_a_chapters_feed_holds_its_public_items_only(self, client, member):
        record(make_lesson(member, title="Door knocking works"))
        record(make_entry(member, title="A members-only lift"))
        response = client.get(f"/c/{member.home_chapter.url_path}/activity.atom")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        body = response.content.decode()
        assert "Door knocking works" in body and "A members-only lift" not in body

    def test_an_unknown_chapter_is_a_404(self, client):
        assert client.get("/c/zz/nowhere/activity.atom").status_code == 404


class TestFollowing:
    def test_the_chapter_page_offers_to_follow_only_to_members_of_other_chapters(
            self, member, member_client, outsider_client, client):
        url = _chapter_url(member)
        assert "Follow this chapter" in outsider_client.get(url).content.decode()
        assert "Follow this chapter" not in member_client.get(url).content.decode()
        assert "Follow this chapter" not in client.get(url).content.decode()

    def test_following_ones_own_chapter_is_a_403_and_anonymous_must_sign_in(
            self, member, member_client, client):
        url = reverse("activity:follow_chapter", kwargs={"url_path": member.home_chapter.url_path})
        assert member_client.post(url).status_code == 403
        assert client.post(url).status_code == 302
        assert not Follow.objects.exists()

    def test_following_an_unknown_chapter_is_a_404(self, member_client):
        url = reverse("activity:follow_chapter", kwargs={"url_path": "zz/nowhere"})
        assert member_client.post(url).status_code == 404

    def test_follow_and_unfollow_a_group_from_its_page(self, member, outsider, outsider_client):
        group = make_group(member)
        page = outsider_client.get(group.get_absolute_url()).content.decode()
        assert "Follow this group" in page
        outsider_client.post(reverse("activity:follow_group",
                                     kwargs={"public_id": group.public_id}))
        follow = Follow.objects.get(member=outsider, group=group)
        assert "You follow this group." in outsider_client.get(
            group.get_absolute_url()).content.decode()
        assert group.name in outsider_client.get("/activity/following/").content.decode()
        outsider_client.post(reverse("activity:unfollow", kwargs={"public_id": follow.public_id}))
        assert not Follow.objects.exists()

    def test_nobody_unfollows_someone_elses_follow(self, member, outsider, neighbour_client):
        follow = services.follow(member=member, chapter=outsider.home_chapter)
        response = neighbour_client.post(reverse("activity:unfollow",
                                                 kwargs={"public_id": follow.public_id}))
        assert response.status_code == 404
        assert Follow.objects.count() == 1

    def test_the_following_list_is_the_members_own(self, member, outsider, member_client,
                                                   neighbour_client, client):
        services.follow(member=member, chapter=outsider.home_chapter)
        name = outsider.home_chapter.display_name()
        assert name in member_client.get("/activity/following/").content.decode()
        assert name not in neighbour_client.get("/activity/following/").content.decode()
        assert client.get("/activity/following/").status_code == 302


class TestAccountData:
    def test_the_export_holds_the_members_follows(self, member, outsider, member_client):
        services.follow(member=member, chapter=outsider.home_chapter)
        data = json.loads(member_client.post("/me/export/").content)
        assert [f["chapter"] for f in data["follows"]] == [outsider.home_chapter.url_path]

    def test_deleting_the_account_removes_the_follows(self, member, outsider):
        services.follow(member=member, chapter=outsider.home_chapter)
        services.follow(member=outsider, chapter=member.home_chapter)
        delete_account(member=member)
        assert list(Follow.objects.values_list("member_id", flat=True)) == [outsider.pk]
