"""The mutual-aid pages over HTTP: the board (filters, sub-chapters, pages, what an
outsider sees), an entry, the forms, the author's and facilitators' buttons, the
private reply and "my entries"; query counts of every list."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.conftest import client_for
from chapterhouse.conversations import services as conversations
from chapterhouse.conversations.models import Conversation
from chapterhouse.members.tests.factories import make_member
from chapterhouse.mutualaid import services
from chapterhouse.mutualaid.models import Entry, Status

from .factories import make_entry

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
LONDON = "/c/gb/eng/london/"
BOARD = HACKNEY + "mutual-aid/"
NEW = BOARD + "new/"
GOOD = {"kind": "request", "category": "rides", "title": "A lift to the clinic",
        "description": "Tuesday **morning**.", "expires_on": "", "visible_to_everyone": ""}


@pytest.fixture
def neighbour(db):
    return make_member("Nell Neighbour", city="London", neighbourhood="Hackney")


def titles(response):
    return [entry.title for entry in response.context["page_obj"]]


# -- The board --------------------------------------------------------------------------

def test_the_section_appears_in_the_chapter_navigation(client, member):
    response = client.get(HACKNEY)
    assert BOARD.encode() in response.content


def test_members_see_the_board_outsiders_only_the_public_entries(
    member, member_client, outsider_client, client
):
    make_entry(member, title="Members only")
    make_entry(member, title="For all", visible_to_everyone=True, description="**Bold** text")
    response = member_client.get(BOARD)
    assert b"Bold text" in response.content  # the description's text, not its Markdown
    assert response.status_code == 200
    assert titles(response) == ["For all", "Members only"]
    assert response.context["page_obj"].paginator.count == 2
    for outsider in (outsider_client, client):
        response = outsider.get(BOARD)
        assert response.status_code == 200
        assert titles(response) == ["For all"]
        assert response.context["page_obj"].paginator.count == 1
        assert b"Members only" not in response.content


def test_the_board_filters_by_kind_and_category(member, member_client):
    make_entry(member, title="Ride wanted", kind="request", category="rides")
    make_entry(member, title="Sofa offered", kind="offer", category="goods")
    make_entry(member, title="Tutoring offered", kind="offer", category="skills")
    assert titles(member_client.get(BOARD, {"kind": "offer"})) == [
        "Tutoring offered", "Sofa offered"]
    assert titles(member_client.get(BOARD, {"kind": "offer", "category": "goods"})) == [
        "Sofa offered"]
    # An unknown filter value is an error of its field and filters nothing.
    response = member_client.get(BOARD, {"category": "weapons"})
    assert response.status_code == 200
    assert response.context["filters"].errors["category"]
    assert len(titles(response)) == 3


def test_sub_chapters_on_request_and_only_for_their_members(member, neighbour):
    lou = make_member("Lou", city="London")
    make_entry(lou, title="London's own")
    make_entry(member, title="Hackney members only")
    make_entry(member, title="Hackney for all", visible_to_everyone=True)
    board = LONDON + "mutual-aid/"
    assert titles(client_for(lou).get(board)) == ["London's own"]
    # Lou (London, not Hackney) sees Hackney's public entry, not its members-only one.
    assert titles(client_for(lou).get(board, {"subchapters": "on"})) == [
        "Hackney for all", "London's own"]
    # A Hackney member belongs to London too: they see all three.
    assert titles(client_for(neighbour).get(board, {"subchapters": "on"})) == [
        "Hackney for all", "Hackney members only", "London's own"]


def test_the_board_pages_keep_the_filters(member, member_client):
    for number in range(25):
        make_entry(member, title=f"Offer {number}", kind="offer")
    make_entry(member, title="A request")
    response = member_client.get(BOARD, {"kind": "offer"})
    assert len(titles(response)) == 20
    assert b"?kind=offer&amp;page=2" in response.content
    assert len(titles(member_client.get(BOARD, {"kind": "offer", "page": "2"}))) == 5


@pytest.mark.parametrize("who", ["member", "outsider", "anonymous"])
def test_the_board_costs_the_same_queries_whatever_its_size(
    member, outsider, who, django_assert_max_num_queries
):
    def client():
        return Client() if who == "anonymous" else client_for(
            member if who == "member" else outsider)

    lou = make_member("Lou", city="London", neighbourhood="Hackney")
    for number in range(3):
        make_entry(lou, title=f"Small {number}", visible_to_everyone=number % 2 == 0)
    c = client()
    c.get(BOARD)  # warm the caches (breadcrumb, session)
    with CaptureQueriesContext(connection) as small:
        assert c.get(BOARD, {"subchapters": "on"}).status_code == 200
    for number in range(30):
        author = make_member(f"Author {number}", city="London", neighbourhood="Hackney")
        make_entry(author, title=f"Big {number}", visible_to_everyone=number % 2 == 0)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(BOARD, {"subchapters": "on"}).status_code == 200


def test_the_board_of_an_unknown_chapter_is_404(member_client):
    assert member_client.get("/c/gb/eng/nowhere/mutual-aid/").status_code == 404


# -- One entry --------------------------------------------------------------------------

def test_an_outsider_gets_404_for_a_members_only_entry(member, outsider_client, client,
                                                        member_client):
    entry = make_entry(member)
    url = entry.get_absolute_url()
    assert member_client.get(url).status_code == 200
    assert outsider_client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    for action in ("reply/", "edit/", "fulfilled/", "delete/", "remove/"):
        assert outsider_client.post(url + action, {"body": "hi", "reason": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == Status.OPEN and not Conversation.objects.exists()


def test_a_public_entry_shows_to_anyone(member, client):
    entry = make_entry(member, visible_to_everyone=True, description="<script>x</script>**b**")
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200
    assert b"<strong>b</strong>" in response.content
    assert b"<script>x" not in response.content
    assert b"Sign in to reply" in response.content


def test_an_entry_of_another_chapter_or_a_bad_id_is_404(member, member_client):
    entry = make_entry(member)
    assert member_client.get(f"{LONDON}mutual-aid/{entry.public_id}/").status_code == 404
    assert member_client.get(f"{BOARD}not-a-uuid/").status_code == 404


# -- Posting and editing ----------------------------------------------------------------

def test_a_member_posts_an_entry(member, member_client):
    assert member_client.get(NEW).status_code == 200
    response = member_client.post(NEW, GOOD)
    entry = Entry.objects.get()
    assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    assert (entry.author, entry.chapter, entry.title) == (member, member.home_chapter,
                                                          "A lift to the clinic")


@pytest.mark.parametrize(("change", "field", "says"), [
    ({"title": ""}, "title", "This field is required."),
    ({"category": "weapons"}, "category", "Select a valid choice."),
    ({"expires_on": "2020-01-01"}, "expires_on", "has passed"),
    ({"expires_on": "soon"}, "expires_on", "Enter a valid date."),
])
def test_bad_input_shows_a_clear_error_and_stores_nothing(member_client, change, field, says):
    response = member_client.post(NEW, {**GOOD, **change})
    assert response.status_code == 400
    assert says in " ".join(response.context["form"].errors[field])
    assert says.encode() in response.content
    assert not Entry.objects.exists()


def test_outsiders_and_visitors_cannot_post(member, outsider_client, client):
    response = outsider_client.post(NEW, GOOD)
    assert response.status_code == 302 and response["Location"] == BOARD
    assert client.post(NEW, GOOD).status_code == 302  # to the login page
    assert not Entry.objects.exists()


def test_the_author_edits_and_others_may_not(member, member_client, neighbour):
    entry = make_entry(member)
    url = entry.get_absolute_url() + "edit/"
    assert member_client.get(url).status_code == 200
    assert client_for(neighbour).post(url, {**GOOD, "title": "Hijacked"}).status_code == 403
    response = member_client.post(url, {**GOOD, "title": "A lift, please",
                                        "visible_to_everyone": "on"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.visible_to_everyone) == ("A lift, please", True)
    response = member_client.post(url, {**GOOD, "expires_on": "2020-01-01"})
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.title == "A lift, please"


def test_the_author_marks_fulfilled_and_deletes(member, member_client, neighbour):
    entry = make_entry(member)
    url = entry.get_absolute_url()
    assert client_for(neighbour).post(url + "fulfilled/").status_code == 403
    assert member_client.post(url + "fulfilled/").status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.FULFILLED
    assert titles(member_client.get(BOARD)) == []
    assert client_for(neighbour).post(url + "delete/", {"confirm": "on"}).status_code == 403
    assert member_client.post(url + "delete/")["Location"] == url  # not confirmed
    assert Entry.objects.exists()
    assert member_client.post(url + "delete/", {"confirm": "on"})["Location"] == (
        "/me/mutual-aid/")
    assert not Entry.objects.exists()


def test_a_facilitator_removes_with_a_reason(member, member_client, facilitator_client,
                                            neighbour):
    entry = make_entry(member)
    url = entry.get_absolute_url()
    assert client_for(neighbour).post(url + "remove/", {"reason": "x"}).status_code == 403
    response = facilitator_client.post(url + "remove/", {"reason": ""}, follow=True)
    assert b"Say why you remove this entry" in response.content
    entry.refresh_from_db()
    assert entry.status == Status.OPEN
    facilitator_client.post(url + "remove/", {"reason": "Selling, not aid."})
    entry.refresh_from_db()
    assert entry.status == Status.REMOVED
    assert client_for(neighbour).get(url).status_code == 404
    page = member_client.get(url)
    assert b"Selling, not aid." in page.content


# -- The private reply ------------------------------------------------------------------

def test_a_reply_opens_the_conversation_and_lands_the_member_in_it(member, neighbour):
    entry = make_entry(member)
    response = client_for(neighbour).post(entry.get_absolute_url() + "reply/",
                                          {"body": "I can drive you."})
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == conversation.get_absolute_url()
    page = client_for(member).get(conversation.get_absolute_url())
    assert b"I can drive you." in page.content


def test_a_blocked_reply_is_refused_clearly_keeping_the_text(member, neighbour):
    conversations.block_member(blocker=member, blocked=neighbour)
    entry = make_entry(member)
    response = client_for(neighbour).post(entry.get_absolute_url() + "reply/",
                                          {"body": "I can drive you."})
    assert response.status_code == 400
    assert b"does not accept messages from you" in response.content
    assert b"I can drive you." in response.content
    assert not Conversation.objects.exists()


def test_the_author_has_no_reply_form_and_cannot_post_one(member, member_client):
    entry = make_entry(member)
    page = member_client.get(entry.get_absolute_url())
    assert b"Reply privately" not in page.content and b"Mark fulfilled" in page.content
    assert member_client.post(entry.get_absolute_url() + "reply/",
                              {"body": "Me"}).status_code == 403
    assert not Conversation.objects.exists()


def test_an_expired_entry_leaves_the_board_and_takes_no_reply(member, member_client,
                                                              neighbour):
    entry = make_entry(member)
    Entry.objects.filter(pk=entry.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert titles(member_client.get(BOARD)) == []
    assert client_for(neighbour).post(entry.get_absolute_url() + "reply/",
                                      {"body": "Hi"}).status_code == 403


# -- My entries -------------------------------------------------------------------------

def test_my_entries_lists_every_state_and_only_mine(member, member_client, outsider,
                                                   client, django_assert_max_num_queries):
    make_entry(member, title="Open one")
    services.mark_fulfilled(entry=make_entry(member, title="Done one"))
    make_entry(outsider, title="Not mine")
    response = member_client.get("/me/mutual-aid/")
    assert titles(response) == ["Done one", "Open one"]
    assert client.get("/me/mutual-aid/").status_code == 302
    member_client.get("/me/mutual-aid/")
    with CaptureQueriesContext(connection) as small:
        member_client.get("/me/mutual-aid/")
    for number in range(15):
        make_entry(member, title=f"More {number}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert member_client.get("/me/mutual-aid/").status_code == 200
