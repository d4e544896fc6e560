"""Moving home ends roles and pending invitations in chapters one no longer belongs
to, with a notice; accepting an invitation checks belonging (issue #13, item 15)."""

import pytest

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters import services as chapter_services
from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.conftest import client_for
from chapterhouse.lib.errors import Refused
from chapterhouse.members.services import move_member
from chapterhouse.notifications.models import Notification
from chapterhouse.places.tests.factories import make_city

pytestmark = pytest.mark.django_db


def _chapter(url_path: str) -> Chapter:
    return Chapter.objects.get(url_path=url_path)


def test_moving_away_ends_roles_and_invitations_left_behind(facilitator):
    hackney = _chapter("gb/eng/london/hackney")
    london, england = _chapter("gb/eng/london"), _chapter("gb/eng")
    chapter_services.grant_role(chapter=london, member=facilitator, source="admin")
    chapter_services.grant_role(chapter=england, member=facilitator, source="admin",
                                accepted=False)
    manchester = make_city("Manchester")
    move_member(member=facilitator, city=manchester)
    left = ChapterRole.objects.filter(member=facilitator)
    # England still contains Manchester: that invitation stays; Hackney and London end.
    assert {r.chapter.url_path for r in left if r.chapter in (hackney, london, england)} == {
        "gb/eng"}
    assert not ChapterRole.objects.facilitators_of(hackney).filter(member=facilitator).exists()
    ended = Notification.objects.get(recipient=facilitator, message="members.roles_ended")
    assert ended.kind == "role_ended"
    text = ended.text
    assert "Hackney" in text and "London" in text
    assert AuditEntry.objects.filter(action="roles.end_on_move").count() == 2


def test_the_former_facilitator_can_no_longer_edit_the_old_chapter(facilitator):
    move_member(member=facilitator, city=make_city("Manchester"))
    response = client_for(facilitator).get("/c/gb/eng/london/hackney/edit/")
    assert response.status_code == 403


def test_moving_within_the_chapter_keeps_the_role(facilitator):
    london = _chapter("gb/eng/london")
    chapter_services.grant_role(chapter=london, member=facilitator, source="admin")
    assert london.place is not None
    move_member(member=facilitator, city=london.place, neighbourhood="Camden")
    assert ChapterRole.objects.active().filter(member=facilitator, chapter=london).exists()


def test_accepting_an_invitation_to_a_chapter_one_does_not_belong_to_is_refused(member, outsider):
    invitation = chapter_services.grant_role(
        chapter=member.home_chapter, member=outsider, source="admin", accepted=False
    )
    with pytest.raises(Refused):
        chapter_services.accept_role(chapter_role=invitation)
    invitation.refresh_from_db()
    assert not invitation.is_active


def test_the_roles_page_refuses_with_a_message(member, outsider):
    chapter_services.grant_role(
        chapter=member.home_chapter, member=outsider, source="admin", accepted=False
    )
    browser = client_for(outsider)
    response = browser.post("/me/roles/", {
        "chapter": member.home_chapter.url_path, "role": "facilitator", "action": "accept",
    }, follow=True)
    assert "You no longer belong to" in response.content.decode()
    assert not ChapterRole.objects.active().filter(member=outsider).exists()
