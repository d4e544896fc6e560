import pytest
from django.test import Client
from django.urls import reverse

from chapterhouse.members.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root@example.org", "x"))
    return client


def test_staff_can_search_notices_by_recipient(admin_client_, member, outsider):
    url = reverse("admin:notifications_notification_changelist")
    response = admin_client_.get(url, {"q": member.user.email})
    assert response.status_code == 200
    shown = {n.recipient_id for n in response.context["cl"].result_list}
    assert shown == {member.pk}
    response = admin_client_.get(url, {"q": "Oscar"})
    assert {n.recipient_id for n in response.context["cl"].result_list} == {outsider.pk}


def test_notices_are_read_only_in_the_admin(admin_client_, member):
    notice = member.notifications.first()
    assert admin_client_.get(reverse("admin:notifications_notification_add")).status_code == 403
    change = reverse("admin:notifications_notification_change", args=[notice.pk])
    response = admin_client_.post(change, {"text": "changed"})
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.text != "changed"
    delete = reverse("admin:notifications_notification_delete", args=[notice.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403


def test_email_preferences_are_listed_in_the_admin(admin_client_):
    url = reverse("admin:notifications_emailpreference_changelist")
    assert admin_client_.get(url).status_code == 200


def test_members_cannot_reach_the_admin(member_client):
    url = reverse("admin:notifications_notification_changelist")
    assert member_client.get(url).status_code == 302
