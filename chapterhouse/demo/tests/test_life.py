"""The demo's chapter life: every newer app has content around the demo login, written
through the apps' services, and a second run adds nothing."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chapterhouse.announcements.models import Announcement
from chapterhouse.blogs.models import BlogPost
from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.chat.models import Message as ChatMessage
from chapterhouse.conversations.models import Conversation, Participant
from chapterhouse.conversations.models import Message as PrivateMessage
from chapterhouse.demo.life import seed_chapter_life
from chapterhouse.demo.people import DEMO_EMAIL
from chapterhouse.discussions.models import Post
from chapterhouse.events.models import Answer, Event, Rsvp
from chapterhouse.members.tests.factories import make_member
from chapterhouse.mutualaid.models import Entry, Status
from chapterhouse.notifications.models import Notification
from chapterhouse.projects.models import Group, Membership, Task
from chapterhouse.resources.models import Lesson, LessonHelp, Resource

pytestmark = pytest.mark.django_db

LONDON = "gb/eng/london"


@pytest.fixture
def org(db):
    """A small organisation around a demo login in London (which it facilitates)."""
    demo = make_member("Dee Demo", city="London", email=DEMO_EMAIL)
    grant_role(chapter=demo.home_chapter, member=demo, source=ChapterRole.Source.ADMIN)
    for n in range(6):
        make_member(f"Hackney {n}", city="London", neighbourhood="Hackney")
    for n in range(5):
        make_member(f"London {n}", city="London")
    for n in range(3):
        make_member(f"Manchester {n}", city="Manchester")
    for n in range(2):
        make_member(f"Lyon {n}", city="Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                    country=("FR", "France"))
    return demo


def counts() -> dict[str, int]:
    return {
        model.__name__ + str(index): model._default_manager.count()
        for index, model in enumerate([
            Announcement, Event, Rsvp, BlogPost, Post, Group, Membership, Task, Resource,
            Lesson, LessonHelp, Entry, ChatMessage, Conversation, PrivateMessage, Notification,
        ])
    }


def test_every_section_has_content_around_the_demo_login(org):
    started, NOW = time.monotonic(), timezone.now()  # noqa: N806
    report = seed_chapter_life()
    assert time.monotonic() - started < 10
    assert report.created
    assert report.sections == ["announcements", "events", "blogs", "projects", "resources",
                               "mutualaid", "chat"]
    # Announcements in the city, its neighbourhood and its country; dated back.
    announced = set(Announcement.objects.values_list("chapter__url_path", flat=True))
    assert {LONDON, f"{LONDON}/hackney", "gb"} <= announced
    assert Announcement.objects.filter(reaches_subchapters=True).exists()
    assert Announcement.objects.filter(created_at__lt=NOW).count() >= 4
    # Events: weekly, with a waiting list, online, past; the demo login answered.
    weekly = Event.objects.get(recurrence="FREQ=WEEKLY;BYDAY=TU")
    assert weekly.starts_at < NOW and weekly.time_zone == "UTC"  # the chapter's default
    assert weekly.rsvps.filter(occurrence__gt=NOW, member=org, answer=Answer.GOING).exists()
    cafe = Event.objects.get(capacity__isnull=False)
    assert cafe.rsvps.filter(answer=Answer.GOING).count() == cafe.capacity
    assert cafe.rsvps.filter(answer=Answer.WAITING).exists()
    assert Event.objects.exclude(online_url="").filter(chapter__url_path="gb").exists()
    past = Event.objects.get(recurrence="", ends_at__lt=NOW)
    assert past.rsvps.filter(answer=Answer.GOING).exists()
    # Blogs: three published posts of the city with comments, and the demo's own post.
    city_posts = BlogPost.objects.filter(blog__chapter__url_path=LONDON)
    assert city_posts.filter(published_at__lt=timezone.now()).count() == 3
    assert BlogPost.objects.filter(blog__owner=org, published_at__isnull=False).exists()
    assert Post.objects.filter(thread__title=city_posts.order_by("published_at")[0].title
                               ).exists()
    # Projects: two groups of the city with members and tasks in every state; a caucus.
    city_groups = Group.objects.filter(chapter__url_path=LONDON)
    assert set(city_groups.values_list("kind", flat=True)) == {"project", "working_group"}
    assert set(Task.objects.values_list("status", flat=True)) == {"open", "doing", "done"}
    assert Membership.objects.filter(is_pending=True).exists()
    caucus = Group.objects.get(kind="caucus")
    assert caucus.chapter.url_path == ""  # International
    assert caucus.memberships.filter(member=org).exists()
    # Resources with tags, one for members only; a lesson another chapter found helpful.
    assert Resource.objects.filter(chapter__url_path=LONDON, tags__isnull=False).exists()
    assert Resource.objects.filter(visibility="members").exists()
    assert Lesson.objects.count() == 2
    helped = LessonHelp.objects.select_related("lesson", "chapter").get()
    assert not helped.chapter.path.startswith(helped.lesson.chapter.path)
    # Mutual aid: members only, visible to everyone, fulfilled.
    assert Entry.objects.filter(visible_to_everyone=False, status=Status.OPEN).exists()
    assert Entry.objects.filter(visible_to_everyone=True, status=Status.OPEN).exists()
    assert Entry.objects.filter(status=Status.FULFILLED).exists()
    # Chat and private conversations of the demo login.
    assert ChatMessage.objects.filter(room__is_chapter_room=True, author=org).exists()
    assert Participant.objects.filter(member=org).count() == 2
    assert PrivateMessage.objects.filter(author=org).count() == 2
    # Through the services: the notices were stored.
    assert Notification.objects.filter(recipient=org).exists()


@pytest.mark.usefixtures("newcomer_limits")
def test_the_shipped_newcomer_limits_do_not_stop_the_seeding(org):
    from chapterhouse.decisions.models import Decision
    from chapterhouse.demo.decisions import seed_decisions

    # The demo's members are new and post a history at once (chapters.limits.lifted).
    assert seed_decisions().decisions == Decision.objects.count() > 0
    assert seed_chapter_life().created


def test_a_second_run_adds_nothing(org):
    seed_chapter_life()
    before = counts()
    again = seed_chapter_life()
    assert not again.created and again.sections == []
    assert counts() == before


def test_a_section_already_there_is_left_alone(org):
    from chapterhouse.announcements.services import announce

    announce(chapter=org.home_chapter, author=org, title="Ours", body="Already here.")
    report = seed_chapter_life()
    assert "announcements" not in report.sections and "events" in report.sections
    assert Announcement.objects.count() == 1


def test_without_the_demo_login_nothing_is_seeded(member):
    report = seed_chapter_life()
    assert not report.created and report.reason == "no demo login"
    assert not Event.objects.exists()


def test_seed_demo_seeds_the_chapter_life_once(db):
    from chapterhouse.places.tests.factories import make_city

    for name in ("London", "Manchester", "Leeds"):
        make_city(name)
    out = StringIO()
    call_command("seed_demo", "--members", "60", stdout=out)
    assert "Demo chapter life created" in out.getvalue()
    before = counts()
    assert before["Event1"] == 4
    out = StringIO()
    call_command("seed_demo", "--members", "60", stdout=out)
    assert "chapter life" not in out.getvalue()
    assert counts() == before


def test_no_decisions_leaves_out_the_chapter_life(db):
    from chapterhouse.places.tests.factories import make_city

    make_city("London")
    call_command("seed_demo", "--members", "20", "--no-decisions", stdout=StringIO())
    assert not Event.objects.exists()
    assert not Announcement.objects.exists()
