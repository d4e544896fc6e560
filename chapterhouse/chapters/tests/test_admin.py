import pytest
from django.test import Client

from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))  # type: ignore[arg-type]
    return client


def test_the_chapter_admin_lists_searches_and_filters(admin_client, member):
    assert admin_client.get("/admin/chapters/chapter/").status_code == 200
    found = admin_client.get("/admin/chapters/chapter/?q=hackney")
    assert found.status_code == 200
    assert list(found.context["cl"].result_list) == [Chapter.objects.get(name="Hackney")]
    by_path = admin_client.get("/admin/chapters/chapter/?q=gb/eng/london")
    assert {c.name for c in by_path.context["cl"].result_list} == {"London", "Hackney"}
    filtered = admin_client.get("/admin/chapters/chapter/?level__exact=3")
    assert [c.name for c in filtered.context["cl"].result_list] == ["London"]


def test_the_member_count_and_tree_are_read_only(admin_client, member):
    london = Chapter.objects.get(name="London")
    url = f"/admin/chapters/chapter/{london.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="member_count"' not in page.content.decode()
    assert 'name="url_path"' not in page.content.decode()
    response = admin_client.post(url, {
        "name": "London", "names": "{}", "description": "Hello", "latitude": "51.5",
        "longitude": "-0.1", "member_count": "999", "url_path": "hacked",
    })
    assert response.status_code == 302
    london.refresh_from_db()
    assert (london.description, london.member_count, london.url_path) == (
        "Hello", 1, "gb/eng/london"
    )


def test_chapters_cannot_be_added_or_deleted_in_the_admin(admin_client, member):
    london = Chapter.objects.get(name="London")
    assert admin_client.get("/admin/chapters/chapter/add/").status_code == 403
    assert admin_client.get(f"/admin/chapters/chapter/{london.pk}/delete/").status_code == 403


def test_the_admin_grants_a_facilitator_role(admin_client, member, outsider):
    london = Chapter.objects.get(name="London")
    assert admin_client.get("/admin/chapters/chapterrole/add/").status_code == 200
    response = admin_client.post("/admin/chapters/chapterrole/add/", {
        "chapter": london.pk, "member": outsider.pk, "role": "facilitator",
    })
    assert response.status_code == 302
    role = ChapterRole.objects.get(chapter=london, member=outsider)
    assert role.is_active
    assert role.source == ChapterRole.Source.ADMIN
    assert outsider.user.has_perm("chapters.edit_chapter", london)


def test_the_admin_activates_an_invitation(admin_client, member):
    invitation = ChapterRole.objects.get(member=member, chapter__name="London")
    response = admin_client.post("/admin/chapters/chapterrole/", {
        "action": "activate", "_selected_action": [invitation.pk],
    })
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.is_active


def test_the_role_admin_lists_searches_and_autocompletes(admin_client, member):
    assert admin_client.get("/admin/chapters/chapterrole/?q=Ada").status_code == 200
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "chapters", "model_name": "chapterrole", "field_name": "chapter",
         "term": "Hack"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Hackney"]


def test_the_admin_is_for_staff_only(member_client):
    response = member_client.get("/admin/chapters/chapter/")
    assert response.status_code == 302


def test_removing_a_role_in_the_admin_is_audited(admin_client, facilitator):
    from chapterhouse.audit.models import AuditEntry

    role = ChapterRole.objects.get(member=facilitator, accepted_at__isnull=False)
    response = admin_client.post(f"/admin/chapters/chapterrole/{role.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ChapterRole.objects.filter(pk=role.pk).exists()
    assert AuditEntry.objects.filter(action="roles.revoke", target_id=str(role.pk)).exists()


def test_bulk_removal_goes_through_the_service(admin_client, member):
    from chapterhouse.audit.models import AuditEntry

    ids = list(ChapterRole.objects.filter(member=member).values_list("pk", flat=True))
    admin_client.post("/admin/chapters/chapterrole/", {
        "action": "delete_selected", "_selected_action": ids, "post": "yes",
    })
    assert not ChapterRole.objects.filter(member=member).exists()
    assert AuditEntry.objects.filter(action="roles.revoke").count() == len(ids)
