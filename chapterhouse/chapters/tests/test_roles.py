import pytest

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

LONDON = "gb/eng/london"


def invitation(member, url_path: str = LONDON) -> ChapterRole:
    return ChapterRole.objects.get(member=member, chapter__url_path=url_path)


def answer(client, action: str, url_path: str = LONDON, role: str = "facilitator"):
    return client.post("/me/roles/", {"chapter": url_path, "role": role, "action": action})


def test_anonymous_visitors_are_sent_to_log_in(client):
    for response in (client.get("/me/roles/"), answer(client, "accept")):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_member_sees_their_invitations_with_accept_and_decline(member_client, member):
    response = member_client.get("/me/roles/")
    assert response.status_code == 200
    assert [r.chapter.url_path for r in response.context["invitations"]] == [
        "gb", "gb/eng", "gb/eng/london", "gb/eng/london/hackney"
    ]
    page = response.content.decode()
    assert 'value="accept"' in page and 'value="decline"' in page
    assert response.context["active_roles"] == []


def test_an_outsider_sees_only_their_own(outsider_client, member, outsider):
    response = outsider_client.get("/me/roles/")
    assert {r.member_id for r in response.context["invitations"]} == {outsider.pk}


def test_the_notice_link_leads_to_the_roles_page(member_client, member):
    notice = member.notifications.get(kind="role_invitation")
    assert notice.url == "/me/roles/"
    assert member_client.get(notice.url).status_code == 200


def test_accepting_makes_the_member_a_facilitator(member_client, member):
    response = answer(member_client, "accept")
    assert response.status_code == 302
    assert response["Location"] == "/me/roles/"
    assert invitation(member).is_active
    assert member.user.has_perm("chapters.edit_chapter", invitation(member).chapter)
    page = member_client.get("/me/roles/").content.decode()
    assert "You are now a facilitator of London." in page
    # Accepting twice is harmless.
    assert answer(member_client, "accept").status_code == 302


def test_declining_removes_the_invitation(member_client, member):
    response = answer(member_client, "decline")
    assert response.status_code == 302
    assert not ChapterRole.objects.filter(member=member, chapter__url_path=LONDON).exists()
    # The others remain.
    assert ChapterRole.objects.filter(member=member).count() == 3


def test_an_active_role_cannot_be_declined_here(facilitator_client, facilitator):
    response = answer(facilitator_client, "decline", url_path="gb/eng/london/hackney")
    assert response.status_code == 403
    assert invitation(facilitator, "gb/eng/london/hackney").is_active


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_nobody_else_can_answer_an_invitation(outsider_client, facilitator_client, member, action):
    for client in (outsider_client, facilitator_client):
        assert answer(client, action).status_code == 404
    assert not invitation(member).is_active


def test_an_unknown_action_is_refused_and_nothing_changes(member_client, member):
    response = answer(member_client, "promote")
    assert response.status_code == 400
    assert not invitation(member).is_active


@pytest.mark.parametrize(
    "fields",
    [{"chapter": "zz", "role": "facilitator"}, {"chapter": LONDON, "role": "king"}, {}],
)
def test_an_unknown_role_is_a_404(member_client, member, fields):
    response = member_client.post("/me/roles/", {**fields, "action": "accept"})
    assert response.status_code == 404
    assert not invitation(member).is_active


def test_answering_needs_post(member_client, member):
    member_client.get("/me/roles/?chapter=gb/eng/london&role=facilitator&action=accept")
    assert not invitation(member).is_active


def test_a_user_without_a_profile_gets_an_empty_page(client, db):
    from chapterhouse.members.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/me/roles/").status_code == 200
    assert answer(client, "accept").status_code == 404


def test_the_second_member_has_no_invitation(member):
    second = make_member("Second", city="London", neighbourhood="Hackney")
    assert not ChapterRole.objects.filter(member=second).exists()
