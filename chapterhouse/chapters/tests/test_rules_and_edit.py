import pytest
from django.contrib.auth.models import AnonymousUser

from chapterhouse.chapters.forms import DESCRIPTION_MAX_LENGTH
from chapterhouse.chapters.models import Chapter

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"
LONDON = "gb/eng/london"


def chapter(url_path: str) -> Chapter:
    return Chapter.objects.get(url_path=url_path)


# persona → (may edit Hackney, may edit London). The `facilitator` fixture
# facilitates Hackney; `sub_facilitator` also facilitates Hackney, which is a
# sub-chapter of London: neither may edit London.
MATRIX = {
    "anonymous": (False, False),
    "outsider": (False, False),
    "member": (False, False),
    "facilitator": (True, False),
    "sub_facilitator": (True, False),
    "staff": (True, True),
}


def user_for(request, persona: str):
    if persona == "anonymous":
        request.getfixturevalue("member")
        return AnonymousUser()
    return request.getfixturevalue(persona).user


@pytest.mark.parametrize("persona", MATRIX)
def test_the_edit_chapter_rule_matrix(request, facilitator, persona):
    user = user_for(request, persona)
    hackney, london = MATRIX[persona]
    assert user.has_perm("chapters.edit_chapter", chapter(HACKNEY)) is hackney
    assert user.has_perm("chapters.edit_chapter", chapter(LONDON)) is london


def test_a_facilitator_of_a_chapter_is_not_one_of_its_parent_nor_its_children(facilitator):
    from chapterhouse.chapters.models import ChapterRole
    from chapterhouse.chapters.services import grant_role
    from chapterhouse.members.tests.factories import make_member

    make_member("Neighbour", city="London", neighbourhood="Shoreditch")
    grant_role(chapter=chapter(LONDON), member=facilitator, source=ChapterRole.Source.ADMIN)
    user = facilitator.user
    assert user.has_perm("chapters.edit_chapter", chapter(LONDON))
    assert not user.has_perm("chapters.edit_chapter", chapter("gb/eng"))
    assert not user.has_perm("chapters.edit_chapter", chapter("gb/eng/london/shoreditch"))


def test_an_invitation_is_not_a_role(member):
    # The member was London's first member: invited, not yet a facilitator.
    assert not member.user.has_perm("chapters.edit_chapter", chapter(LONDON))


def test_the_rule_uses_facilitators_already_loaded_without_a_query(
    facilitator, django_assert_num_queries
):
    from chapterhouse.chapters.selectors import facilitators_of
    from chapterhouse.lib.interface import Viewer

    hackney = chapter(HACKNEY)
    viewer = Viewer(facilitator.user)
    viewer.member  # noqa: B018 - load the profile outside the count
    facilitators_of(hackney, viewer=viewer)
    with django_assert_num_queries(0):
        assert viewer.can("chapters.edit_chapter", hackney)


EXPECTED_STATUS = {
    "anonymous": (302, 302),
    "outsider": (403, 403),
    "member": (403, 403),
    "facilitator": (200, 403),
    "sub_facilitator": (200, 403),
    "staff": (200, 200),
}


def client_of(request, persona: str):
    from chapterhouse.conftest import client_for

    if persona == "anonymous":
        request.getfixturevalue("member")
        return request.getfixturevalue("client")
    return client_for(request.getfixturevalue(persona))


@pytest.mark.parametrize("persona", EXPECTED_STATUS)
def test_the_edit_page_answers_each_persona(request, facilitator, persona):
    client = client_of(request, persona)
    hackney, london = EXPECTED_STATUS[persona]
    assert client.get(f"/c/{HACKNEY}/edit/").status_code == hackney
    assert client.get(f"/c/{LONDON}/edit/").status_code == london


@pytest.mark.parametrize("persona", EXPECTED_STATUS)
def test_posting_an_edit_stores_only_when_allowed(request, facilitator, persona):
    client = client_of(request, persona)
    response = client.post(f"/c/{LONDON}/edit/", {"description": "Taken over"})
    # Anonymous → login; staff → saved and redirected to the chapter; others 403.
    assert response.status_code == (302 if persona in {"anonymous", "staff"} else 403)
    stored = chapter(LONDON).description
    assert (stored == "Taken over") is (persona == "staff")


def test_the_anonymous_visitor_is_sent_to_log_in(client, member):
    response = client.get(f"/c/{HACKNEY}/edit/")
    assert "/accounts/login/" in response["Location"]


def test_a_facilitator_edits_the_description(facilitator_client):
    form = facilitator_client.get(f"/c/{HACKNEY}/edit/")
    assert "<textarea" in form.content.decode()
    response = facilitator_client.post(
        f"/c/{HACKNEY}/edit/", {"description": "# Welcome\n\nWe meet in the *park*."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/c/{HACKNEY}/"
    assert chapter(HACKNEY).description == "# Welcome\n\nWe meet in the *park*."
    page = facilitator_client.get(response["Location"]).content.decode()
    assert "<em>park</em>" in page
    assert "The chapter&#x27;s description was saved." in page or "description was saved" in page


def test_the_chapter_page_offers_the_edit_link_only_to_those_who_may_edit(
    facilitator_client, member_client
):
    assert "Edit description" in facilitator_client.get(f"/c/{HACKNEY}/").content.decode()
    assert "Edit description" not in facilitator_client.get(f"/c/{LONDON}/").content.decode()
    assert "Edit description" not in member_client.get(f"/c/{HACKNEY}/").content.decode()


def test_staff_can_edit_the_international_chapter(staff_client):
    assert staff_client.get("/c/edit/").status_code == 200
    staff_client.post("/c/edit/", {"description": "Hello world"})
    assert chapter("").description == "Hello world"


def test_a_too_long_description_is_refused_and_nothing_is_stored(facilitator_client):
    response = facilitator_client.post(
        f"/c/{HACKNEY}/edit/", {"description": "x" * (DESCRIPTION_MAX_LENGTH + 1)}
    )
    assert response.status_code == 400
    assert "at most 10000 characters" in response.content.decode().replace(",", "")
    assert chapter(HACKNEY).description == ""


def test_a_description_with_a_null_character_is_refused(facilitator_client):
    response = facilitator_client.post(f"/c/{HACKNEY}/edit/", {"description": "bad\x00byte"})
    assert response.status_code == 400
    assert chapter(HACKNEY).description == ""


def test_a_description_of_exactly_the_limit_is_accepted(facilitator_client):
    response = facilitator_client.post(
        f"/c/{HACKNEY}/edit/", {"description": "x" * DESCRIPTION_MAX_LENGTH}
    )
    assert response.status_code == 302
    assert len(chapter(HACKNEY).description) == DESCRIPTION_MAX_LENGTH


def test_an_empty_description_clears_it(facilitator_client):
    facilitator_client.post(f"/c/{HACKNEY}/edit/", {"description": "Something"})
    facilitator_client.post(f"/c/{HACKNEY}/edit/", {"description": ""})
    assert chapter(HACKNEY).description == ""


def test_extra_fields_are_ignored(facilitator_client):
    facilitator_client.post(
        f"/c/{HACKNEY}/edit/",
        {"description": "Fine", "member_count": "999999", "name": "Renamed", "url_path": "x"},
    )
    hackney = chapter(HACKNEY)
    assert (hackney.description, hackney.name, hackney.url_path) == ("Fine", "Hackney", HACKNEY)
    assert hackney.member_count == 2


def test_a_script_in_the_description_is_rendered_inert(facilitator_client):
    facilitator_client.post(
        f"/c/{HACKNEY}/edit/",
        {"description": '<script>alert(1)</script>\n\n[click](javascript:alert(1))'},
    )
    page = facilitator_client.get(f"/c/{HACKNEY}/").content.decode()
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page


def test_an_edit_is_audited_with_its_author(facilitator_client, facilitator):
    from chapterhouse.audit.models import AuditEntry

    facilitator_client.post(f"/c/{HACKNEY}/edit/", {"description": "Audited"})
    entry = AuditEntry.objects.get(action="chapters.update_description")
    assert entry.actor == facilitator
    assert entry.chapter == chapter(HACKNEY)
