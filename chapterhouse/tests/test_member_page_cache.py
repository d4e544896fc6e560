"""Chapter pages for members come from the cache (lib.pagecache): one copy per kind of
visitor (belongs or not, facilitates or not), with each member's own parts put in.
One member's page never shows another's name, counts, token or buttons."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.activity.services import follow
from chapterhouse.announcements.services import announce
from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role, revoke_role, update_chapter
from chapterhouse.conftest import client_for
from chapterhouse.conversations.services import start_conversation
from chapterhouse.members.tests.factories import make_member
from chapterhouse.moderation.services import report
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EDIT = "Edit description"
NEW_DOCUMENT = "Create a document"
QUEUE = "The moderation queue"
FOLLOW = "Follow this chapter"
UNFOLLOW = "Unfollow"
BELONG = "You belong here"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    settings.MEMBER_PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def visit(client, path=HACKNEY) -> str:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "__chph_" not in html  # no placeholder left unfilled
    return html


def read_any(queries: CaptureQueriesContext, *tables: str) -> bool:
    return any(f'FROM "{table}"' in query["sql"] for query in queries.captured_queries
               for table in tables)


def tokens_of(html: str) -> set[str]:
    return set(TOKEN.findall(html))


def unread_notices(member, count: int) -> None:
    for _ in range(count):
        notify(recipients=[member], kind=Kind.MEMBER_JOINED, message="members.joined",
               params={"name": "Ana", "chapter": "Leeds"}, url="/c/gb/")


def test_two_members_of_the_chapter_in_turn_see_only_their_own_parts(member, neighbour):
    unread_notices(member, 3)
    start_conversation(author=neighbour, recipients=[member], body="Hello")
    # With the notices of the others joining and of the message.
    unread = member.notifications.filter(read_at__isnull=True).count()
    neighbour.notifications.update(read_at=timezone.now())
    first, second = client_for(member), client_for(neighbour)
    mine = visit(first)  # rendered and cached for members who belong
    with CaptureQueriesContext(connection) as queries:
        theirs = visit(second)  # from the cache
    # The copy was shared: no chapter, facilitator or announcement was read for it.
    assert not read_any(queries, "chapters_chapter", "announcements_announcement")
    assert "Ada Member" in mine and "Ada Member" not in theirs
    assert "Nell Neighbour" in theirs and "Nell Neighbour" not in mine
    assert f"{unread} unread notifications" in mine and "unread notification" not in theirs
    assert "1 unread message" in mine and "unread message" not in theirs
    assert member.get_absolute_url() in mine and member.get_absolute_url() not in theirs
    assert tokens_of(mine) and tokens_of(theirs) and not tokens_of(mine) & tokens_of(theirs)
    # ...and the first member, served from the cache now, still sees their own.
    again = visit(first)
    assert "Ada Member" in again and "Nell Neighbour" not in again
    assert f"{unread} unread notifications" in again
    for html in (mine, theirs, again):
        assert BELONG in html and EDIT not in html and QUEUE not in html


def test_each_token_is_its_members_own_and_works(member, neighbour):
    pages = {}
    for person in (member, neighbour):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person.user)
        pages[person.pk] = (client, visit(client))
    for client, html in pages.values():
        token = min(tokens_of(html))
        response = client.post("/i18n/setlang/", {"language": "es", "next": HACKNEY,
                                                  "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    stranger = Client(enforce_csrf_checks=True)
    token = min(tokens_of(pages[member.pk][1]))
    assert stranger.post("/i18n/setlang/", {"language": "es", "csrfmiddlewaretoken": token}
                         ).status_code == 403


def test_a_facilitator_a_member_and_a_non_member_each_get_their_own_copy(
    member, facilitator, outsider, neighbour
):
    report(reporter=neighbour, target=member, reason="A test report.")
    # Each in turn, twice: the second visit of each comes from the cache.
    for _round in range(2):
        as_facilitator = visit(client_for(facilitator))
        as_member = visit(client_for(member))
        as_outsider = visit(client_for(outsider))
        anonymous = visit(Client())
        assert EDIT in as_facilitator and NEW_DOCUMENT in as_facilitator
        assert QUEUE in as_facilitator and "1 reported thing waits." in as_facilitator
        assert BELONG in as_facilitator and FOLLOW not in as_facilitator
        for html in (as_member, as_outsider, anonymous):
            assert EDIT not in html and NEW_DOCUMENT not in html and QUEUE not in html
            assert "reported thing" not in html
        assert BELONG in as_member and FOLLOW not in as_member
        assert BELONG not in as_outsider and "You are not a member of this chapter." in as_outsider
        assert FOLLOW in as_outsider
        assert "Log out" not in anonymous and "Join" in anonymous and FOLLOW not in anonymous
        assert "Fay Facilitator" in as_facilitator.split("</nav>")[0]
        assert "Oscar Outsider" in as_outsider.split("</nav>")[0]


def test_two_outsiders_see_their_own_follow_state_and_it_changes_at_once(outsider):
    other = make_member("Olga Other", city="Paris", region=("FR-IDF", "Île-de-France"),
                        country=("FR", "France"))
    hackney = make_member("Hal Hackney", city="London", neighbourhood="Hackney").home_chapter
    follow(member=outsider, chapter=hackney)
    follows = visit(client_for(outsider))
    does_not = visit(client_for(other))
    assert UNFOLLOW in follows and FOLLOW not in follows
    assert FOLLOW in does_not and UNFOLLOW not in does_not
    follow(member=other, chapter=hackney)
    assert UNFOLLOW in visit(client_for(other))


def test_a_new_report_shows_to_the_facilitators_at_once(
    member, facilitator, neighbour, django_capture_on_commit_callbacks
):
    client = client_for(facilitator)
    assert "0 reported things wait." in visit(client)
    with django_capture_on_commit_callbacks(execute=True):
        report(reporter=neighbour, target=member, reason="A test report.")
    assert "1 reported thing waits." in visit(client)


def test_a_new_description_and_announcement_show_to_members_at_once(
    member, facilitator, django_capture_on_commit_callbacks
):
    client = client_for(member)
    visit(client)
    chapter = member.home_chapter
    with django_capture_on_commit_callbacks(execute=True):
        update_chapter(chapter=chapter, description="Meet us at the library.")
    assert "Meet us at the library." in visit(client)
    with django_capture_on_commit_callbacks(execute=True):
        announce(chapter=chapter, author=facilitator, title="Picnic on Sunday", body="Bring food.")
    assert "Picnic on Sunday" in visit(client)


def test_becoming_and_ceasing_to_be_a_facilitator_shows_at_once(
    member, django_capture_on_commit_callbacks
):
    client = client_for(member)
    assert EDIT not in visit(client)
    with django_capture_on_commit_callbacks(execute=True):
        role = grant_role(chapter=member.home_chapter, member=member,
                          source=ChapterRole.Source.ADMIN)
    assert EDIT in visit(client)
    with django_capture_on_commit_callbacks(execute=True):
        revoke_role(chapter_role=role)
    assert EDIT not in visit(client)


def test_joining_a_chapter_shows_at_once(outsider, member):
    from chapterhouse.members.services import move_member
    from chapterhouse.places.tests.factories import make_city

    client = client_for(outsider)
    assert BELONG not in visit(client)
    move_member(member=outsider, city=make_city("London"), neighbourhood="Hackney")
    html = visit(client)
    assert BELONG in html and FOLLOW not in html


def test_a_members_page_from_the_cache_reads_no_chapter_and_few_queries(member, neighbour):
    visit(client_for(neighbour))  # cached
    client = client_for(member)
    visit(client)  # their chapters and presence, once
    with CaptureQueriesContext(connection) as queries:
        visit(client)
    # The user with the member and home chapter in one query and the two unread counts
    # in one query; and the session, from the database unless Redis holds the sessions
    # (with REDIS_URL, as in production).
    session = [query["sql"] for query in queries.captured_queries
               if "django_session" in query["sql"]]
    others = [query["sql"] for query in queries.captured_queries
              if "django_session" not in query["sql"]]
    assert len(others) == 2, others
    assert len(session) <= 1, session
    assert not read_any(queries, "chapters_chapter", "chapters_chapterrole",
                        "announcements_announcement")


def test_turned_off_members_get_a_fresh_page(member, neighbour, settings):
    settings.MEMBER_PAGE_CACHE_SECONDS = 0
    visit(client_for(neighbour))
    with CaptureQueriesContext(connection) as queries:
        visit(client_for(member))
    assert read_any(queries, "chapters_chapter")
