"""Lessons learned: writing one (with its comments thread), the organisation's index
and its filters, and "this helped us" from other chapters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.conftest import client_for
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.resources import services
from chapterhouse.resources.models import Lesson, LessonHelp, Topic
from chapterhouse.resources.services import ResourceError

from .factories import make_lesson

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
WRITE = HACKNEY + "resources/lessons/new/"
GOOD = {"title": "Stalls on market day", "topic": "campaigns", "body": "Arrive **early**."}


# -- Writing ----------------------------------------------------------------------------------

def test_a_member_shares_a_lesson_with_its_comments_thread(member, member_client):
    response = member_client.post(WRITE, GOOD)
    lesson = Lesson.objects.get()
    assert response.status_code == 302 and response["Location"] == lesson.get_absolute_url()
    assert (lesson.chapter, lesson.author, lesson.topic) == (
        member.home_chapter, member, Topic.CAMPAIGNS)
    thread = thread_about(lesson, kind="comments")
    assert thread is not None and thread.chapter == member.home_chapter
    assert thread.posting_rule == "resources.comment_lesson" and thread.post_count == 0


def test_members_of_other_chapters_comment_on_a_lesson(member, outsider, outsider_client):
    lesson = make_lesson(member)
    thread = thread_about(lesson, kind="comments")
    assert thread is not None
    page = outsider_client.get(lesson.get_absolute_url()).content.decode()
    assert f"/discussions/{thread.public_id}/reply/" in page
    response = outsider_client.post(f"/discussions/{thread.public_id}/reply/",
                                    {"body": "We tried it in Lyon too."})
    assert response.status_code in (200, 302)
    assert Post.objects.get(thread=thread).author == outsider


def test_anonymous_readers_read_a_lesson_but_cannot_comment(member, client):
    lesson = make_lesson(member, body="Go in **pairs**.")
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "<strong>pairs</strong>" in page and "This helped us" not in page


def test_unsafe_markdown_is_rendered_harmless(member, client):
    lesson = make_lesson(member, body="<script>alert(1)</script> [x](javascript:alert(1))")
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "javascript:alert" not in page


def test_outsiders_and_anonymous_may_not_write_a_chapters_lesson(member, outsider_client,
                                                                 client):
    assert outsider_client.post(WRITE, GOOD).status_code == 403
    assert client.post(WRITE, GOOD).status_code == 302  # to log in
    assert not Lesson.objects.exists() and not Thread.objects.exists()


@pytest.mark.parametrize(("data", "error"), [
    ({**GOOD, "topic": "astrology"}, "Select a valid choice"),
    ({**GOOD, "body": "   "}, "This field is required"),
    ({**GOOD, "body": "x" * 20_001}, "at most 20000"),
])
def test_bad_lessons_are_refused_with_a_clear_error(member_client, data, error):
    response = member_client.post(WRITE, data)
    assert response.status_code == 400 and error in response.content.decode()
    assert not Lesson.objects.exists() and not Thread.objects.exists()


def test_the_service_refuses_an_unknown_topic(member):
    with pytest.raises(ResourceError):
        services.write_lesson(chapter=member.home_chapter, author=member, title="T",
                              body="B", topic="nope")
    assert not Lesson.objects.exists()


# -- The index --------------------------------------------------------------------------------

@pytest.fixture
def spread(member, outsider):
    """Lessons from Hackney, from London (above it), and from Lyon."""
    london = make_member("Lou", city="London")
    return {
        "hackney": make_lesson(member, title="Hackney campaigns", topic=Topic.CAMPAIGNS),
        "london": make_lesson(london, title="London money", topic=Topic.FUNDRAISING),
        "lyon": make_lesson(outsider, title="Lyon campaigns", topic=Topic.CAMPAIGNS),
    }


def titles(response):
    assert response.status_code == 200
    return {lesson.title for lesson in response.context["page_obj"]}


def test_the_index_lists_every_chapters_lessons(spread, client):
    assert titles(client.get("/lessons/")) == {
        "Hackney campaigns", "London money", "Lyon campaigns"}


def test_the_index_filters_by_topic(spread, client):
    assert titles(client.get("/lessons/?topic=campaigns")) == {
        "Hackney campaigns", "Lyon campaigns"}


def test_the_index_filters_by_a_place_and_everything_below_it(spread, client):
    assert titles(client.get("/lessons/?place=gb/eng/london")) == {
        "Hackney campaigns", "London money"}
    assert titles(client.get("/lessons/?place=gb/eng/london/hackney")) == {"Hackney campaigns"}
    assert titles(client.get("/lessons/?place=gb&topic=campaigns")) == {"Hackney campaigns"}


def test_the_place_filter_offers_the_chapters_with_lessons_and_those_above(spread, client):
    choices = dict(client.get("/lessons/").context["form"].fields["place"].choices)
    assert {"gb", "gb/eng", "gb/eng/london", "gb/eng/london/hackney"} <= set(choices)
    assert "fr" in choices and "" in choices


def test_an_unknown_filter_shows_a_clear_error_and_every_lesson(spread, client):
    response = client.get("/lessons/?place=../../etc&topic=nope")
    assert titles(response) == {"Hackney campaigns", "London money", "Lyon campaigns"}
    assert "Select a valid choice" in response.content.decode()


def test_the_index_pages_keep_their_filters(member, client):
    for i in range(25):
        make_lesson(member, title=f"Lesson {i}", topic=Topic.EVENTS)
    page = client.get("/lessons/?topic=events").content.decode()
    assert "?topic=events&amp;page=2" in page
    assert len(client.get("/lessons/?topic=events&page=2").context["page_obj"]) == 5


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_index_costs_the_same_queries_for_3_or_20_lessons(member, outsider, client):
    for i in range(3):
        make_lesson([member, outsider][i % 2], title=f"L{i}", topic=Topic.OTHER)
    client.get("/lessons/")
    few = (_queries(client, "/lessons/"), _queries(client, "/lessons/?place=gb&topic=other"))
    for i in range(3, 20):
        author = make_member(f"Author {i}", city=["Leeds", "London", "Paris"][i % 3])
        make_lesson(author, title=f"L{i}", topic=Topic.OTHER)
    many = (_queries(client, "/lessons/"), _queries(client, "/lessons/?place=gb&topic=other"))
    assert many == few


def test_the_lesson_page_costs_the_same_queries_with_1_or_10_helpful_chapters(member):
    lesson = make_lesson(member)
    reader = make_member("Reader", city="Leeds")
    services.mark_helpful(lesson=lesson, member=make_member("P0", city="Paris"))
    client = client_for(reader)
    client.get(lesson.get_absolute_url())
    few = _queries(client, lesson.get_absolute_url())
    for i in range(1, 10):
        services.mark_helpful(lesson=lesson, member=make_member(f"P{i}", city=f"City {i}"))
    assert _queries(client, lesson.get_absolute_url()) == few


# -- "This helped us" -------------------------------------------------------------------------

def test_another_chapters_member_says_it_helped_and_the_author_is_told(
    member, outsider, outsider_client,
):
    lesson = make_lesson(member)
    response = outsider_client.post(lesson.get_absolute_url() + "helped/")
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.helped_count == 1
    assert LessonHelp.objects.get().chapter == outsider.home_chapter
    notice = Notification.objects.get(recipient=member, kind=Kind.LESSON_HELPED)
    assert notice.url == lesson.get_absolute_url()
    assert notice.text == "Lyon says your lesson “Door knocking works” helped them"
    page = outsider_client.get(lesson.get_absolute_url()).content.decode()
    assert "This helped 1 chapter" in page and "already said" in page


def test_it_counts_once_per_chapter(member, outsider, outsider_client):
    lesson = make_lesson(member)
    neighbour = make_member("Nico", city="Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                            country=("FR", "France"))
    outsider_client.post(lesson.get_absolute_url() + "helped/")
    outsider_client.post(lesson.get_absolute_url() + "helped/")
    client_for(neighbour).post(lesson.get_absolute_url() + "helped/")
    with pytest.raises(ResourceError, match="already"):
        services.mark_helpful(lesson=lesson, member=neighbour)
    lesson.refresh_from_db()
    assert lesson.helped_count == 1 and LessonHelp.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.LESSON_HELPED).count() == 1
    services.mark_helpful(lesson=lesson, member=make_member("Lee", city="Leeds"))
    lesson.refresh_from_db()
    assert lesson.helped_count == 2


def test_not_from_the_lessons_own_chapter_nor_from_one_below_it(member, member_client):
    london = make_member("Lou", city="London")
    lesson = make_lesson(london)  # London's lesson; the member lives in Hackney, below
    assert member_client.post(lesson.get_absolute_url() + "helped/").status_code == 403
    assert client_for(london).post(lesson.get_absolute_url() + "helped/").status_code == 403
    with pytest.raises(ResourceError, match="other chapters"):
        services.mark_helpful(lesson=lesson, member=member)
    assert not LessonHelp.objects.exists()
    assert "This helped us</button>" not in member_client.get(
        lesson.get_absolute_url()).content.decode()


def test_a_chapter_above_may_say_a_lesson_from_below_helped_it(member):
    lesson = make_lesson(member)  # Hackney's
    services.mark_helpful(lesson=lesson, member=make_member("Lou", city="London"))
    lesson.refresh_from_db()
    assert lesson.helped_count == 1


def test_anonymous_cannot_say_it_helped(member, client):
    lesson = make_lesson(member)
    response = client.post(lesson.get_absolute_url() + "helped/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not LessonHelp.objects.exists()


def test_an_unknown_lesson_is_a_404(client, member_client):
    assert client.get("/lessons/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert member_client.post(
        "/lessons/00000000-0000-0000-0000-000000000000/helped/").status_code == 404
