import pytest
from django.test import Client
from django.urls import reverse

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import accept_role, decline_role, grant_role, update_chapter
from chapterhouse.lib import audit
from chapterhouse.members.models import User

pytestmark = pytest.mark.django_db


def newest() -> AuditEntry:
    return AuditEntry.objects.latest("created_at", "id")


def test_granting_a_role_writes_one_entry(member, outsider):
    chapter = member.home_chapter
    before = AuditEntry.objects.count()
    role = grant_role(
        chapter=chapter, member=outsider, source=ChapterRole.Source.ADMIN, actor=member
    )
    assert AuditEntry.objects.count() == before + 1
    entry = newest()
    assert entry.action == "roles.grant"
    assert entry.actor == member
    assert entry.target_label == f"chapters.ChapterRole:{role.pk}"
    assert entry.chapter == chapter
    assert entry.data == {"role": "facilitator", "source": "admin"}


def test_a_grant_by_the_system_has_no_actor(member, outsider):
    grant_role(chapter=member.home_chapter, member=outsider, source=ChapterRole.Source.ADMIN)
    assert newest().actor is None


def test_inviting_accepting_and_declining_are_each_recorded(member):
    # Registration invited the first member of each new chapter.
    invitations = ChapterRole.objects.filter(member=member, accepted_at__isnull=True)
    assert AuditEntry.objects.filter(action="roles.invite").count() == invitations.count()
    first, second = invitations[:2]

    accept_role(chapter_role=first)
    accepted = AuditEntry.objects.get(action="roles.accept")
    assert (accepted.actor, accepted.target_id) == (member, str(first.pk))

    pk = second.pk
    decline_role(chapter_role=second)
    declined = AuditEntry.objects.get(action="roles.decline")
    # The entry outlives the invitation it is about.
    assert not ChapterRole.objects.filter(pk=pk).exists()
    assert declined.target_label == f"chapters.ChapterRole:{pk}"
    assert declined.chapter_id == second.chapter_id


def test_editing_a_chapter_description_is_recorded(facilitator):
    chapter = facilitator.home_chapter
    update_chapter(chapter=chapter, description="We meet on Tuesdays.", actor=facilitator)
    entry = AuditEntry.objects.get(action="chapters.update_description")
    assert entry.actor == facilitator
    assert entry.chapter == chapter
    assert entry.target_label == f"chapters.Chapter:{chapter.pk}"
    assert entry.data == {"description": "We meet on Tuesdays."}


def test_the_entry_commits_or_rolls_back_with_the_action(member, outsider):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        grant_role(chapter=member.home_chapter, member=outsider, source="admin")
        raise RuntimeError
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("action", ["", "grant", "Roles.Grant", "roles.grant; drop", "a.b.c"])
def test_a_badly_named_action_is_refused_and_nothing_stored(member, action):
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError):
        audit.record(actor=member, action=action, target=member.home_chapter)
    assert AuditEntry.objects.count() == before


def test_an_unsaved_target_is_refused(member):
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError):
        audit.record(actor=None, action="roles.grant", target=ChapterRole())
    assert AuditEntry.objects.count() == before


def test_an_entry_is_never_changed(member):
    entry = audit.record(
        actor=member, action="chapters.update_description", target=member.home_chapter,
        data={"when": member.joined_at},
    )
    entry.refresh_from_db()
    assert entry.data["when"]  # datetimes are stored as ISO text
    entry.action = "roles.grant"
    with pytest.raises(ValueError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "chapters.update_description"


def test_an_entry_outlives_its_actor(member, outsider):
    from chapterhouse.members.services import delete_account

    entry = audit.record(actor=outsider, action="roles.grant", target=member.home_chapter)
    delete_account(member=outsider)
    entry.refresh_from_db()
    assert entry.actor is None


# Admin


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root@example.org", "x"))
    return client


def test_staff_read_the_log_in_the_admin(staff_client, member):
    url = reverse("admin:audit_auditentry_changelist")
    response = staff_client.get(url, {"q": "roles.invite"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == AuditEntry.objects.filter(
        action="roles.invite"
    ).count()
    entry = newest()
    detail = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert staff_client.get(detail).status_code == 200


def test_the_log_is_read_only_in_the_admin(staff_client, member):
    entry = newest()
    assert staff_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert staff_client.post(change, {"action": "roles.grant"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, action=entry.action).exists()


def test_members_cannot_read_the_log(member_client, outsider_client, client):
    url = reverse("admin:audit_auditentry_changelist")
    for c in (member_client, outsider_client, client):
        assert c.get(url).status_code == 302
