"""Editing and withdrawing an announcement: who may, what is stored, audited and shown,
what its notices say, and what bad input does (nothing)."""

import pytest
from django.core.cache import cache
from django.test import Client

from chapterhouse.announcements import services
from chapterhouse.announcements.models import BODY_MAX_LENGTH, Announcement
from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role, update_chapter
from chapterhouse.conftest import client_for
from chapterhouse.lib.errors import Refused
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"


@pytest.fixture
def sent(facilitator, member, django_capture_on_commit_callbacks):
    """An announcement of Hackney by its facilitator, told to the member."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.announce(chapter=facilitator.home_chapter, author=facilitator,
                                 title="Picnic on Sunday", body="Bring bread.")


def edit_url(announcement):
    return announcement.get_absolute_url() + "edit/"


def withdraw_url(announcement):
    return announcement.get_absolute_url() + "withdraw/"


def fresh(announcement):
    return Announcement.objects.get(pk=announcement.pk)


# -- Editing ----------------------------------------------------------------------------------

def test_the_author_edits_and_the_pages_say_edited(sent, facilitator_client, client):
    response = facilitator_client.post(edit_url(sent), {"title": "Picnic on Saturday",
                                                        "body": "Bring cheese."})
    assert response.status_code == 302 and response["Location"] == sent.get_absolute_url()
    changed = fresh(sent)
    assert (changed.title, changed.body) == ("Picnic on Saturday", "Bring cheese.")
    assert changed.edited_at is not None
    page = client.get(sent.get_absolute_url()).content.decode()
    assert "Picnic on Saturday" in page and "Bring cheese." in page
    assert "edited" in page and 'class="announcement-edited"' in page
    assert "Picnic on Saturday" in client.get(HACKNEY).content.decode()


def test_an_edit_is_audited_with_the_title_it_had(sent, facilitator, facilitator_client):
    facilitator_client.post(edit_url(sent), {"title": "New title", "body": "Bring bread."})
    entry = AuditEntry.objects.get(action="announcements.edit")
    assert entry.actor == facilitator and entry.target_id == str(sent.pk)
    assert entry.data == {"title": "New title", "previous_title": "Picnic on Sunday",
                          "text_changed": False}


def test_the_notices_show_the_new_title(sent, member, facilitator_client):
    facilitator_client.post(edit_url(sent), {"title": "New title", "body": "x"})
    notice = Notification.objects.get(recipient=member, kind=Kind.ANNOUNCEMENT)
    assert notice.text == "Fay Facilitator announced in Hackney: New title"
    assert Notification.objects.filter(kind=Kind.ANNOUNCEMENT).count() == 1  # no one told again


def test_another_facilitator_of_the_chapter_may_edit(sent, facilitator):
    other = make_member("Flo", city="London", neighbourhood="Hackney")
    grant_role(chapter=other.home_chapter, member=other, source=ChapterRole.Source.ADMIN)
    response = client_for(other).post(edit_url(sent), {"title": "Theirs", "body": "y"})
    assert response.status_code == 302 and fresh(sent).title == "Theirs"
    assert AuditEntry.objects.get(action="announcements.edit").actor == other


def test_a_member_who_announced_edits_their_own(facilitator, member, member_client):
    update_chapter(chapter=facilitator.home_chapter, description="",
                   members_may_announce=True)
    mine = services.announce(chapter=member.home_chapter, author=member, title="Mine",
                             body="x")
    assert member_client.get(edit_url(mine)).status_code == 200
    assert member_client.post(edit_url(mine), {"title": "Still mine", "body": "x"}
                              ).status_code == 302
    assert fresh(mine).title == "Still mine"


@pytest.mark.parametrize("persona", ["member_client", "outsider_client"])
def test_someone_elses_announcement_is_refused_and_unchanged(request, persona, sent):
    client = request.getfixturevalue(persona)
    assert client.get(edit_url(sent)).status_code == 403
    assert client.post(edit_url(sent), {"title": "Hijack", "body": "x"}).status_code == 403
    assert client.get(withdraw_url(sent)).status_code == 403
    assert client.post(withdraw_url(sent), {"reason": ""}).status_code == 403
    assert fresh(sent).title == "Picnic on Sunday" and not fresh(sent).is_withdrawn
    assert not AuditEntry.objects.filter(
        action__in=["announcements.edit", "announcements.withdraw"]).exists()


def test_a_parent_facilitator_may_not_change_a_childs_announcement(sent):
    londoner = make_member("Lou", city="London")
    grant_role(chapter=londoner.home_chapter, member=londoner, source=ChapterRole.Source.ADMIN)
    assert client_for(londoner).post(withdraw_url(sent), {}).status_code == 403
    assert not fresh(sent).is_withdrawn


def test_anonymous_visitors_are_sent_to_sign_in(sent, client):
    for url in (edit_url(sent), withdraw_url(sent)):
        response = client.post(url, {"title": "x", "body": "y"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert fresh(sent).title == "Picnic on Sunday" and not fresh(sent).is_withdrawn


def test_unknown_and_foreign_ids_are_not_found(sent, facilitator_client):
    london = "/c/gb/eng/london/"
    assert facilitator_client.get(
        f"{london}announcements/{sent.public_id}/edit/").status_code == 404
    assert facilitator_client.post(
        f"{HACKNEY}announcements/00000000-0000-0000-0000-000000000000/withdraw/"
    ).status_code == 404


@pytest.mark.parametrize("data, error", [
    ({"title": "", "body": "Text"}, "This field is required."),
    ({"title": "   ", "body": "Text"}, "This field is required."),
    ({"title": "Title", "body": ""}, "This field is required."),
    ({"title": "x" * 201, "body": "Text"}, "at most 200 characters"),
    ({"title": "Title", "body": "x" * (BODY_MAX_LENGTH + 1)}, "at most 20000 characters"),
    ({"title": "Picnic on Sunday", "body": "Bring bread."}, "Nothing was changed."),
])
def test_bad_edits_are_refused_with_a_clear_error_and_change_nothing(
    sent, facilitator_client, data, error
):
    response = facilitator_client.post(edit_url(sent), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    unchanged = fresh(sent)
    assert (unchanged.title, unchanged.body, unchanged.edited_at) == (
        "Picnic on Sunday", "Bring bread.", None)
    assert not AuditEntry.objects.filter(action="announcements.edit").exists()


def test_the_edit_form_works_without_javascript(sent, facilitator_client):
    page = facilitator_client.get(edit_url(sent)).content.decode()
    assert '<form method="post"' in page and 'value="Picnic on Sunday"' in page
    assert "Bring bread." in page and 'type="submit"' in page


# -- Withdrawing ------------------------------------------------------------------------------

def test_the_author_withdraws_with_a_reason(sent, facilitator, facilitator_client, client):
    response = facilitator_client.post(withdraw_url(sent), {"reason": "Rain forecast"})
    assert response.status_code == 302 and response["Location"] == sent.get_absolute_url()
    gone = fresh(sent)
    assert gone.is_withdrawn and gone.withdrawn_by == facilitator
    assert gone.withdrawal_reason == "Rain forecast"
    page = client.get(sent.get_absolute_url()).content.decode()
    assert "This announcement was withdrawn by" in page and "Fay Facilitator" in page
    assert "Rain forecast" in page
    assert "Picnic on Sunday" not in page and "Bring bread." not in page
    assert "Picnic on Sunday" not in client.get(HACKNEY).content.decode()
    assert "Picnic on Sunday" not in client.get(HACKNEY + "announcements/").content.decode()


def test_a_withdrawal_is_audited(sent, facilitator, facilitator_client):
    facilitator_client.post(withdraw_url(sent), {"reason": ""})
    entry = AuditEntry.objects.get(action="announcements.withdraw")
    assert entry.actor == facilitator and entry.chapter == facilitator.home_chapter
    assert entry.data == {"title": "Picnic on Sunday", "reason": ""}


def test_its_notices_no_longer_say_it_and_lead_to_the_withdrawn_page(
    sent, member, facilitator_client, member_client
):
    facilitator_client.post(withdraw_url(sent), {"reason": "Oops"})
    notice = Notification.objects.get(recipient=member, kind=Kind.ANNOUNCEMENT)
    assert notice.text == "An announcement in Hackney was withdrawn."
    assert "Picnic" not in str(notice.params)
    response = member_client.get("/notifications/")
    assert response.status_code == 200 and "was withdrawn" in response.content.decode()
    notices_page = response.content.decode()
    assert "Picnic on Sunday" not in notices_page
    assert "was withdrawn" in member_client.get(notice.link).content.decode()


def test_a_withdrawn_announcement_cannot_be_edited_or_withdrawn_again(
    sent, facilitator, facilitator_client
):
    services.withdraw_announcement(announcement=sent, member=facilitator)
    assert facilitator_client.post(edit_url(sent), {"title": "Back", "body": "x"}
                                   ).status_code == 403
    assert facilitator_client.post(withdraw_url(sent), {}).status_code == 403
    with pytest.raises(Refused):
        services.edit_announcement(announcement=fresh(sent), editor=facilitator,
                                   title="Back", body="x")
    with pytest.raises(Refused):
        services.withdraw_announcement(announcement=fresh(sent), member=facilitator)
    assert fresh(sent).title == "Picnic on Sunday"
    assert AuditEntry.objects.filter(action="announcements.withdraw").count() == 1


def test_the_service_refuses_a_stale_copy_of_a_withdrawn_announcement(sent, facilitator):
    stale = fresh(sent)
    services.withdraw_announcement(announcement=sent, member=facilitator)
    with pytest.raises(Refused):
        services.edit_announcement(announcement=stale, editor=facilitator, title="Late",
                                   body="x")
    assert fresh(sent).title == "Picnic on Sunday"


def test_a_too_long_reason_is_refused_and_nothing_changes(sent, facilitator_client):
    response = facilitator_client.post(withdraw_url(sent), {"reason": "x" * 501})
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert not fresh(sent).is_withdrawn
    assert not AuditEntry.objects.filter(action="announcements.withdraw").exists()


def test_the_buttons_show_only_to_those_who_may(sent, facilitator_client, member_client,
                                               client):
    url = sent.get_absolute_url()
    page = facilitator_client.get(url).content.decode()
    assert f'href="{edit_url(sent)}"' in page and f'href="{withdraw_url(sent)}"' in page
    for other in (member_client, client):
        page = other.get(url).content.decode()
        assert edit_url(sent) not in page and withdraw_url(sent) not in page


@pytest.mark.parametrize("change", ["edit", "withdraw"])
def test_a_signed_out_visitor_sees_the_change_at_once(
    settings, sent, facilitator, change, django_capture_on_commit_callbacks
):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    assert "Picnic on Sunday" in Client().get(HACKNEY).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "edit":
            services.edit_announcement(announcement=sent, editor=facilitator,
                                       title="Moved indoors", body="x")
        else:
            services.withdraw_announcement(announcement=sent, member=facilitator)
    page = Client().get(HACKNEY).content.decode()
    assert "Picnic on Sunday" not in page
    assert ("Moved indoors" in page) is (change == "edit")


def test_the_export_says_what_became_of_it(sent, facilitator):
    from chapterhouse.announcements.selectors import account_export

    services.withdraw_announcement(announcement=sent, member=facilitator, reason="Rain")
    [exported] = account_export(facilitator)["announcements"]
    assert exported["withdrawn_at"] is not None and exported["withdrawal_reason"] == "Rain"
