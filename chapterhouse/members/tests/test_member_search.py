"""The member search behind the one autocomplete (members:search)."""

import pytest
from django.urls import reverse

from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

URL = "/m/search/"


def test_its_address():
    assert reverse("members:search") == URL


@pytest.mark.parametrize("persona", ["outsider_client", "member_client"])
def test_members_find_listed_members_by_name(request, member, persona):
    page = request.getfixturevalue(persona).get(URL, {"q": "ada"}).content.decode()
    assert f'data-suggestion-code="{member.public_id}"' in page
    assert 'data-suggestion="Ada Member"' in page


def test_anonymous_visitors_are_sent_to_log_in(client, member):
    response = client.get(URL, {"q": "ada"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_hidden_profiles_are_not_found(member_client, member):
    hidden = make_member("Ada Hidden", city="London")
    hidden.profile_visibility = Visibility.HIDDEN
    hidden.save()
    page = member_client.get(URL, {"q": "ada"}).content.decode()
    assert str(hidden.public_id) not in page


def test_within_a_chapter_it_finds_its_members_only(member_client, member, outsider):
    page = member_client.get(URL, {"q": "osc", "within": "fr"}).content.decode()
    assert str(outsider.public_id) in page and str(member.public_id) not in page


def test_within_an_unknown_chapter_is_a_404(member_client, member):
    assert member_client.get(URL, {"q": "ada", "within": "zz"}).status_code == 404
