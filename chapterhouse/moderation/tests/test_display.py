"""Hidden content shows "Hidden by the facilitators: <reason>" in its place on every
kind members report, on its page and in its lists; its author still sees it; others
have a "Report" link (issue #18, moderation)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chapterhouse.conftest import client_for
from chapterhouse.conversations.tests.factories import conversation_of, person
from chapterhouse.discussions.tests.factories import first_post, make_thread
from chapterhouse.members.services import update_profile
from chapterhouse.moderation import services
from chapterhouse.moderation.models import Report
from chapterhouse.mutualaid.tests.factories import make_entry
from chapterhouse.resources.tests.factories import make_lesson, make_link

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
NOTICE = "Hidden by the facilitators:"


def report_link(target) -> str:
    return reverse("moderation:report",
                   kwargs={"label": target._meta.label_lower, "pk": target.pk})


def shows(client, url, *, secret: str, reason: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.content.decode()
    assert NOTICE in text and reason in text
    return text


def test_a_hidden_resource_shows_the_reason_on_its_page_and_in_the_library(
        member, facilitator, member_client, neighbour_client):
    resource = make_link(member, title="Secret guide", url="https://secret.example/guide")
    other = make_link(member, title="Harmless guide")
    services.hide(target=resource, moderator=facilitator, reason="Resource reason")
    for url in (resource.get_absolute_url(), f"{HACKNEY}resources/"):
        text = shows(neighbour_client, url, secret="Secret guide", reason="Resource reason")
        assert "Secret guide" not in text and "secret.example" not in text
        text = shows(member_client, url, secret="Secret guide", reason="Resource reason")
        assert "Secret guide" in text
    assert "Harmless guide" in neighbour_client.get(f"{HACKNEY}resources/").content.decode()
    assert report_link(resource) in neighbour_client.get(resource.get_absolute_url()
                                                         ).content.decode()
    assert report_link(resource) not in member_client.get(resource.get_absolute_url()
                                                          ).content.decode()
    assert client_for(facilitator).post(report_link(other), {"reason": "Spam"}
                                        ).status_code == 302


def test_a_hidden_lesson_shows_the_reason_on_its_page_and_in_the_lists(
        member, facilitator, member_client, neighbour_client, client):
    lesson = make_lesson(member, title="Secret lesson", body="The secret lesson text")
    services.hide(target=lesson, moderator=facilitator, reason="Lesson reason")
    text = shows(neighbour_client, lesson.get_absolute_url(), secret="", reason="Lesson reason")
    assert "Secret lesson" not in text and "The secret lesson text" not in text
    assert report_link(lesson) in text
    text = shows(member_client, lesson.get_absolute_url(), secret="", reason="Lesson reason")
    assert "The secret lesson text" in text
    text = shows(client, "/lessons/", secret="", reason="Lesson reason")
    assert "Secret lesson" not in text
    library = neighbour_client.get(f"{HACKNEY}resources/").content.decode()
    assert "Hidden by the facilitators" in library and "Secret lesson" not in library


def test_a_hidden_mutual_aid_entry_shows_the_reason_on_its_page_and_on_the_board(
        member, facilitator, member_client, neighbour_client, outsider_client):
    entry = make_entry(member, title="Secret lift", description="The secret route")
    services.hide(target=entry, moderator=facilitator, reason="Entry reason")
    for url in (entry.get_absolute_url(), f"{HACKNEY}mutual-aid/"):
        text = shows(neighbour_client, url, secret="", reason="Entry reason")
        assert "Secret lift" not in text and "The secret route" not in text
        text = shows(member_client, url, secret="", reason="Entry reason")
        assert "Secret lift" in text
    assert report_link(entry) in neighbour_client.get(entry.get_absolute_url()).content.decode()
    # A members-only entry stays out of reach of a member of another chapter.
    assert outsider_client.get(entry.get_absolute_url()).status_code == 404


def test_a_hidden_private_message_shows_the_reason_in_the_conversation(facilitator):
    author, reader = person("Ann Author"), person("Rita Reader")
    conversation = conversation_of(author, reader, body="The secret message")
    message = conversation.messages.get()
    reader_client = client_for(reader)
    page = reader_client.get(conversation.get_absolute_url()).content.decode()
    assert report_link(message) in page
    assert reader_client.post(report_link(message), {"reason": "Abuse"}).status_code == 302
    report = Report.objects.get()
    assert report.chapter == author.home_chapter  # the author's chapter's facilitators
    services.hide(target=message, moderator=facilitator, reason="Message reason")
    text = shows(reader_client, conversation.get_absolute_url(), secret="",
                 reason="Message reason")
    assert "The secret message" not in text
    text = shows(client_for(author), conversation.get_absolute_url(), secret="",
                 reason="Message reason")
    assert "The secret message" in text
    # Someone outside the conversation can neither read nor report it.
    assert client_for(facilitator).post(report_link(message), {"reason": "x"}
                                        ).status_code in (403, 404)


def test_a_hidden_profile_shows_the_name_and_the_reason_not_the_bio(
        member, facilitator, member_client, neighbour_client):
    update_profile(member=member, bio="My secret biography")
    services.hide(target=member, moderator=facilitator, reason="Profile reason")
    text = shows(neighbour_client, member.get_absolute_url(), secret="",
                 reason="Profile reason")
    assert member.display_name in text and "My secret biography" not in text
    assert report_link(member) in text
    text = shows(member_client, member.get_absolute_url(), secret="", reason="Profile reason")
    assert "My secret biography" in text and report_link(member) not in text


def _hide_more(author, facilitator, make, count, start=0):
    for index in range(start, start + count):
        services.hide(target=make(author, index), moderator=facilitator, reason=f"R{index}")


@pytest.mark.parametrize(("kind", "url", "make"), [
    ("resources", f"{HACKNEY}resources/",
     lambda author, n: make_link(author, title=f"Guide {n}")),
    ("lessons", "/lessons/", lambda author, n: make_lesson(author, title=f"Lesson {n}")),
    ("mutualaid", f"{HACKNEY}mutual-aid/",
     lambda author, n: make_entry(author, title=f"Lift {n}")),
])
def test_a_list_costs_the_same_whatever_is_hidden_in_it(
        member, facilitator, neighbour_client, kind, url, make):
    _hide_more(member, facilitator, make, 2)
    neighbour_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert neighbour_client.get(url).status_code == 200
    _hide_more(member, facilitator, make, 6, start=2)
    with CaptureQueriesContext(connection) as large:
        page = neighbour_client.get(url)
    assert page.content.decode().count(NOTICE) == 8
    assert len(large) == len(small), kind


def test_a_conversation_costs_the_same_whatever_is_hidden_in_it(facilitator):
    from chapterhouse.conversations import services as conversations

    author, reader = person("Ann Author"), person("Rita Reader")
    conversation = conversation_of(author, reader, body="First")
    services.hide(target=conversation.messages.get(), moderator=facilitator, reason="R")
    reader_client = client_for(reader)
    reader_client.get(conversation.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        reader_client.get(conversation.get_absolute_url())
    for index in range(5):
        message = conversations.post_message(conversation=conversation, author=author,
                                             body=f"More {index}")
        services.hide(target=message, moderator=facilitator, reason="R")
    with CaptureQueriesContext(connection) as large:
        page = reader_client.get(conversation.get_absolute_url())
    assert page.content.decode().count(NOTICE) == 6
    assert len(large) == len(small)


def test_the_members_list_costs_the_same_and_drops_hidden_photos(
        member, facilitator, neighbour_client):
    from chapterhouse.members.models import Member
    from chapterhouse.members.tests.factories import make_member

    url = f"{HACKNEY}members/"
    Member.objects.filter(pk=member.pk).update(avatar="avatars/hidden.png")
    Member.objects.filter(pk=facilitator.pk).update(avatar="avatars/shown.png")
    services.hide(target=member, moderator=facilitator, reason="R")
    neighbour_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert neighbour_client.get(url).status_code == 200
    for index in range(4):
        someone = make_member(f"Someone {index}", city="London", neighbourhood="Hackney")
        services.hide(target=someone, moderator=facilitator, reason="R")
    with CaptureQueriesContext(connection) as large:
        page = neighbour_client.get(url).content.decode()
    assert "Someone 3" in page and member.display_name in page  # the names stay
    assert "avatars/hidden.png" not in page and "avatars/shown.png" in page
    assert len(large) == len(small)


def test_a_post_hidden_after_its_page_was_shown_is_hidden_at_once(
        member, facilitator, member_client, neighbour_client, client):
    """The posts' heads, and whole posts, are shared between readers with the same flags
    (discussions.presenters); the hiding, and the text its author alone still sees, are
    each reader's own."""
    thread = make_thread(member, body="A post to hide")
    for reader in (client, neighbour_client, member_client):
        assert "A post to hide" in reader.get(thread.get_absolute_url()).content.decode()
    services.hide(target=first_post(thread), moderator=facilitator, reason="Post reason")
    for reader in (client, neighbour_client):
        text = shows(reader, thread.get_absolute_url(), secret="", reason="Post reason")
        assert "A post to hide" not in text
    text = shows(member_client, thread.get_absolute_url(), secret="", reason="Post reason")
    assert "A post to hide" in text and "Only you see it now." in text
    services.restore(target=first_post(thread), moderator=facilitator, reason="Fine")
    text = neighbour_client.get(thread.get_absolute_url()).content.decode()
    assert "A post to hide" in text and NOTICE not in text
