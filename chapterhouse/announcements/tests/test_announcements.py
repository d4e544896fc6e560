"""Chapter announcements: who may write one, what is stored, audited and told, where it
shows, and what bad input does (nothing)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.announcements import services
from chapterhouse.announcements.models import BODY_MAX_LENGTH, Announcement
from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.chapters.services import grant_role, update_chapter
from chapterhouse.conftest import client_for
from chapterhouse.lib.errors import Refused
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
LONDON = "/c/gb/eng/london/"
NEW = HACKNEY + "announcements/new/"
GOOD = {"title": "Picnic on Sunday", "body": "Bring **bread**.", "reaches_subchapters": ""}


def post(client, data=GOOD, url=NEW, capture=None):
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


# -- Writing one ----------------------------------------------------------------------------

def test_a_facilitator_announces_to_every_member_of_the_chapter(
    facilitator, facilitator_client, member, outsider, django_capture_on_commit_callbacks
):
    neighbour_below = make_member("Nell", city="London", neighbourhood="Hackney")
    response = post(facilitator_client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == HACKNEY
    announcement = Announcement.objects.get()
    assert (announcement.title, announcement.author, announcement.chapter) == (
        "Picnic on Sunday", facilitator, facilitator.home_chapter)
    told = Notification.objects.filter(kind=Kind.ANNOUNCEMENT)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [member.pk, neighbour_below.pk])  # not the author, not the outsider
    notice = told.get(recipient=member)
    assert notice.url == announcement.get_absolute_url()
    assert notice.text == "Fay Facilitator announced in Hackney: Picnic on Sunday"


def test_the_announcement_is_audited(facilitator, facilitator_client):
    post(facilitator_client)
    entry = AuditEntry.objects.get(action="announcements.announce")
    announcement = Announcement.objects.get()
    assert entry.actor == facilitator and entry.chapter == facilitator.home_chapter
    assert entry.target_id == str(announcement.pk)
    assert entry.data == {"title": "Picnic on Sunday", "reaches_subchapters": False}


def test_the_notice_is_stored_as_a_message_read_in_each_members_language(
    facilitator, facilitator_client, member, django_capture_on_commit_callbacks
):
    post(facilitator_client, capture=django_capture_on_commit_callbacks)
    notice = Notification.objects.get(recipient=member, kind=Kind.ANNOUNCEMENT)
    # A name and parameters, rendered when read (the chapter's name in every language).
    assert notice.message == "announcements.new"
    assert notice.params["title"] == "Picnic on Sunday"
    assert notice.params["author"] == "Fay Facilitator"
    assert notice.params["chapter"]["place"] == "Hackney"


def test_a_delivery_run_twice_tells_each_member_once(
    facilitator, member, django_capture_on_commit_callbacks
):
    from chapterhouse.notifications.services import notify_members_of

    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announce(chapter=facilitator.home_chapter, author=facilitator,
                                         title="Once", body="x")
    with django_capture_on_commit_callbacks(execute=True):
        notify_members_of(chapter=facilitator.home_chapter, kind=Kind.ANNOUNCEMENT,
                          message="announcements.new",
                          params={"author": "A", "chapter": "C", "title": "Once"},
                          event=f"announcement:{announcement.public_id}")
    assert Notification.objects.filter(recipient=member, kind=Kind.ANNOUNCEMENT).count() == 1


def test_a_member_may_announce_where_the_chapter_allows_it(
    facilitator, facilitator_client, member, member_client
):
    assert member_client.post(NEW, GOOD).status_code == 403
    response = facilitator_client.post(HACKNEY + "edit/", {
        "description": "", "members_may_announce": "on"})
    assert response.status_code == 302
    chapter = Chapter.objects.get(pk=facilitator.home_chapter.pk)
    assert chapter.members_may_announce
    assert AuditEntry.objects.filter(
        action="chapters.change_announcing", actor=facilitator,
        data={"members_may_announce": True}).exists()
    assert member_client.post(NEW, GOOD).status_code == 302
    assert Announcement.objects.get().author == member


# -- Refused: outsiders, members, anonymous, deactivated ----------------------------------

@pytest.mark.parametrize("persona", ["member_client", "outsider_client"])
def test_those_who_may_not_announce_are_refused_and_nothing_is_stored(request, persona,
                                                                   facilitator):
    client = request.getfixturevalue(persona)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, GOOD).status_code == 403
    assert not Announcement.objects.exists()
    assert not AuditEntry.objects.filter(action="announcements.announce").exists()
    assert not Notification.objects.filter(kind=Kind.ANNOUNCEMENT).exists()


def test_an_outsider_is_refused_even_where_members_may_announce(facilitator, outsider_client):
    update_chapter(chapter=facilitator.home_chapter, description="",
                   members_may_announce=True)
    assert outsider_client.post(NEW, GOOD).status_code == 403
    assert not Announcement.objects.exists()


def test_a_facilitator_of_the_parent_chapter_is_not_one_of_the_child(member, facilitator):
    londoner = make_member("Lou", city="London")
    grant_role(chapter=londoner.home_chapter, member=londoner, source=ChapterRole.Source.ADMIN)
    client = client_for(londoner)
    assert client.post(NEW, GOOD).status_code == 403
    assert client.post(LONDON + "announcements/new/", GOOD).status_code == 302
    assert Announcement.objects.get().chapter == londoner.home_chapter


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_stored(client, facilitator):
    response = client.post(NEW, GOOD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Announcement.objects.exists()


def test_a_deactivated_facilitator_cannot_announce(facilitator, facilitator_client):
    facilitator.user.is_active = False
    facilitator.user.save()
    response = facilitator_client.post(NEW, GOOD)
    assert response.status_code in (302, 403)  # signed out, or refused
    assert not Announcement.objects.exists()


# -- Bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("data, error", [
    ({"title": "", "body": "Text"}, "This field is required."),
    ({"title": "Title", "body": ""}, "This field is required."),
    ({"title": "x" * 201, "body": "Text"}, "at most 200 characters"),
    ({"title": "Title", "body": "x" * (BODY_MAX_LENGTH + 1)}, "at most 20000 characters"),
    ({"title": "   ", "body": "Text"}, "This field is required."),
])
def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(
    facilitator, facilitator_client, data, error
):
    response = facilitator_client.post(NEW, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert 'value="Title"' in response.content.decode() or data["title"] != "Title"
    assert not Announcement.objects.exists()
    assert not AuditEntry.objects.filter(action="announcements.announce").exists()


@pytest.mark.parametrize("title, body", [
    ("", "text"), ("title", "  \n "), ("x" * 201, "text"), ("t", "x" * (BODY_MAX_LENGTH + 1)),
])
def test_the_service_refuses_empty_or_oversized_announcements(facilitator, title, body):
    with pytest.raises(Refused):
        services.announce(chapter=facilitator.home_chapter, author=facilitator,
                          title=title, body=body)
    assert not Announcement.objects.exists()


def test_unknown_or_foreign_announcement_ids_are_not_found(facilitator, client):
    announcement = services.announce(chapter=facilitator.home_chapter, author=facilitator,
                                     title="Hello", body="World")
    assert client.get(announcement.get_absolute_url()).status_code == 200
    assert client.get(HACKNEY + "announcements/not-a-uuid/").status_code == 404
    assert client.get(
        HACKNEY + "announcements/00000000-0000-0000-0000-000000000000/").status_code == 404
    # The same id under another chapter's address: not found.
    assert client.get(
        LONDON + f"announcements/{announcement.public_id}/").status_code == 404


# -- Where it shows -------------------------------------------------------------------------

def test_the_chapter_page_shows_the_latest_few_and_links_to_all(facilitator, client):
    for index in range(5):
        services.announce(chapter=facilitator.home_chapter, author=facilitator,
                          title=f"News {index}", body=f"Body {index}")
        Announcement.objects.filter(title=f"News {index}").update(
            created_at=timezone.now() - timedelta(days=10 - index))
    page = client.get(HACKNEY).content.decode()
    assert "News 4" in page and "News 3" in page and "News 2" in page
    assert "News 1" not in page
    assert 'href="/c/gb/eng/london/hackney/announcements/"' in page
    listing = client.get(HACKNEY + "announcements/").content.decode()
    assert all(f"News {index}" in listing for index in range(5))
    assert listing.index("News 4") < listing.index("News 0")


def test_the_body_is_rendered_markdown_and_safe(facilitator, client):
    services.announce(chapter=facilitator.home_chapter, author=facilitator, title="Safe",
                      body="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    page = client.get(HACKNEY).content.decode()
    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)" not in page and "javascript:alert" not in page


def test_only_this_chapter_or_also_every_chapter_below(member, client):
    londoner = make_member("Lou", city="London")
    london = londoner.home_chapter
    services.announce(chapter=london, author=londoner, title="Only London", body="x")
    services.announce(chapter=london, author=londoner, title="All of London", body="y",
                      reaches_subchapters=True)
    london_page = client.get(LONDON).content.decode()
    assert "Only London" in london_page and "All of London" in london_page
    hackney_page = client.get(HACKNEY).content.decode()
    assert "All of London" in hackney_page and "Only London" not in hackney_page
    assert "from London" in hackney_page
    hackney_list = client.get(HACKNEY + "announcements/").content.decode()
    assert "All of London" in hackney_list and "Only London" not in hackney_list
    # A chapter's announcement never shows above it.
    assert "All of London" not in client.get("/c/gb/eng/").content.decode()


def test_every_member_is_told_whichever_option(
    member, django_capture_on_commit_callbacks
):
    londoner = make_member("Lou", city="London")
    with django_capture_on_commit_callbacks(execute=True):
        services.announce(chapter=londoner.home_chapter, author=londoner,
                          title="Only London", body="x")
    assert Notification.objects.filter(recipient=member, kind=Kind.ANNOUNCEMENT).exists()


def test_a_signed_out_visitor_sees_a_new_announcement_at_once(
    settings, facilitator, django_capture_on_commit_callbacks
):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    assert "Fresh news" not in Client().get(HACKNEY).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.announce(chapter=facilitator.home_chapter, author=facilitator,
                          title="Fresh news", body="x")
    assert "Fresh news" in Client().get(HACKNEY).content.decode()


def test_the_write_button_shows_only_to_those_who_may(facilitator, facilitator_client,
                                                     member_client, client):
    assert 'href="' + NEW + '"' in facilitator_client.get(HACKNEY).content.decode()
    assert NEW not in member_client.get(HACKNEY).content.decode()
    assert NEW not in client.get(HACKNEY).content.decode()


def test_the_form_works_without_javascript(facilitator, facilitator_client):
    page = facilitator_client.get(NEW).content.decode()
    assert '<form method="post"' in page and 'name="title"' in page and 'name="body"' in page
    assert 'type="submit"' in page
    # Hackney has no chapters below: the choice to show it there too is not offered.
    assert 'name="reaches_subchapters"' not in page


def test_a_chapter_with_chapters_below_offers_to_show_it_there_too(member):
    londoner = make_member("Lou", city="London")
    grant_role(chapter=londoner.home_chapter, member=londoner, source=ChapterRole.Source.ADMIN)
    page = client_for(londoner).get(LONDON + "announcements/new/").content.decode()
    assert 'name="reaches_subchapters"' in page


def test_an_announcement_outlives_its_author(facilitator, client):
    services.announce(chapter=facilitator.home_chapter, author=facilitator,
                      title="Lasting", body="x")
    facilitator.user.delete()
    assert Announcement.objects.get().author is None
    assert "Lasting" in client.get(HACKNEY + "announcements/").content.decode()


def test_the_authors_export_holds_their_announcements(facilitator, facilitator_client):
    services.announce(chapter=facilitator.home_chapter, author=facilitator,
                      title="Mine", body="x")
    from chapterhouse.announcements.selectors import account_export

    exported = account_export(Member.objects.get(pk=facilitator.pk))
    assert [a["title"] for a in exported["announcements"]] == ["Mine"]


# -- Cost -------------------------------------------------------------------------------------

def _count(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["client", "member_client", "facilitator_client"])
def test_the_list_and_the_chapter_page_cost_the_same_whatever_the_number(
    request, persona, facilitator
):
    client = request.getfixturevalue(persona)
    londoner = make_member("Lou", city="London")
    services.announce(chapter=facilitator.home_chapter, author=facilitator,
                      title="One", body="x")
    paths = [HACKNEY + "announcements/", HACKNEY]
    small = [_count(client, path) for path in paths]
    for index in range(6):
        author = make_member(f"Author {index}", city="London", neighbourhood="Hackney")
        services.announce(chapter=facilitator.home_chapter, author=author,
                          title=f"Many {index}", body="x")
        services.announce(chapter=londoner.home_chapter, author=londoner,
                          title=f"Above {index}", body="y", reaches_subchapters=True)
    large = [_count(client, path) for path in paths]
    assert small == large
    assert large[1] <= 8  # QUALITY.md: the chapter page's budget
