"""The hook through which apps above `chapters` show, on "My chapters", the groups a
member belongs to beside the places (chapters.memberships)."""

import pytest

from chapterhouse.chapters import memberships

pytestmark = pytest.mark.django_db


def test_my_chapters_shows_what_each_registered_app_gives_for_the_member(
        monkeypatch, member_client, member):
    seen = []

    def context(request, who):
        seen.append(who)
        return {"memberships": []}

    monkeypatch.setattr(memberships, "_registered", {})
    memberships.register(memberships.Memberships(
        app="zeta", template="projects/_my_groups.html", context=context))
    memberships.register(memberships.Memberships(
        app="alpha", template="projects/_my_groups.html", context=context))
    response = member_client.get("/c/mine/")
    assert response.status_code == 200
    assert seen == [member, member]  # each app once, by label
    assert [section["context"] for section in response.context["other_memberships"]] == [
        {"memberships": []}, {"memberships": []}]


def test_a_member_profile_less_account_sees_no_other_memberships(client):
    from chapterhouse.members.tests.factories import make_user

    client.force_login(make_user(is_staff=True))
    response = client.get("/c/mine/")
    assert response.status_code == 200
    assert "other_memberships" not in response.context
