"""The Django admin for users and members."""

import pytest
from django.test import Client

from chapterhouse.chapters.models import Chapter
from chapterhouse.members.models import Member, User


@pytest.fixture
def admin_client_(db) -> Client:
    admin = User.objects.create_superuser("admin@example.org", "admin pass phrase 1")
    browser = Client()
    browser.force_login(admin)
    return browser


def test_staff_search_users_by_email(admin_client_, member, outsider):
    response = admin_client_.get("/admin/members/user/", {"q": member.user.email})
    assert response.status_code == 200
    assert member.user.email in response.content.decode()
    assert outsider.user.email not in response.content.decode()


def test_staff_search_members_by_name_and_email(admin_client_, member, outsider):
    by_name = admin_client_.get("/admin/members/member/", {"q": "Oscar"}).content.decode()
    assert "Oscar Outsider" in by_name and "Ada Member" not in by_name
    by_email = admin_client_.get("/admin/members/member/",
                                 {"q": member.user.email}).content.decode()
    assert "Ada Member" in by_email and "Oscar Outsider" not in by_email


def test_the_member_change_page_opens(admin_client_, member):
    response = admin_client_.get(f"/admin/members/member/{member.pk}/change/")
    assert response.status_code == 200


def test_the_user_add_page_asks_for_email_not_username(admin_client_):
    html = admin_client_.get("/admin/members/user/add/").content.decode()
    assert 'name="email"' in html
    assert 'name="username"' not in html


def test_staff_add_a_user(admin_client_):
    response = admin_client_.post("/admin/members/user/add/", {
        "email": "new@example.org", "password1": "a fine long pass 99",
        "password2": "a fine long pass 99", "usable_password": "true"})
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.org").exists()


def test_members_are_not_added_in_the_admin(admin_client_):
    assert admin_client_.get("/admin/members/member/add/").status_code == 403


def test_deleting_a_member_in_the_admin_keeps_counts_exact(admin_client_, member):
    admin_client_.post(f"/admin/members/member/{member.pk}/delete/", {"post": "yes"})
    assert not Member.objects.filter(pk=member.pk).exists()
    assert Chapter.objects.get(url_path="gb/eng/london/hackney").member_count == 0


def test_deleting_a_user_in_the_admin_keeps_counts_exact(admin_client_, member):
    admin_client_.post(f"/admin/members/user/{member.user.pk}/delete/", {"post": "yes"})
    assert not Member.objects.filter(pk=member.pk).exists()
    assert Chapter.objects.get(url_path="").member_count == 0


@pytest.mark.parametrize("url", ["/admin/members/user/", "/admin/members/member/"])
def test_members_cannot_open_the_admin(member_client, url):
    response = member_client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_member_list_costs_the_same_at_two_sizes(admin_client_, member,
                                                    django_assert_max_num_queries):
    from chapterhouse.members.tests.factories import make_member

    admin_client_.get("/admin/members/member/")
    for n in range(6):
        make_member(f"Extra {n}", city="London")
    with django_assert_max_num_queries(10):
        admin_client_.get("/admin/members/member/")
