import pytest
from django.test import RequestFactory

from chapterhouse.notifications.context_processors import unread as member_context
from chapterhouse.notifications.models import EMAIL_BY_DEFAULT, Kind
from chapterhouse.notifications.selectors import (
    email_choices_for,
    language_for,
    unread_count,
    unread_count_for,
)
from chapterhouse.notifications.services import mark_read, notify, set_email_preferences
from chapterhouse.notifications.tests.factories import SAY, make_notices, said

pytestmark = pytest.mark.django_db


def test_the_unread_count_is_counted_once_per_viewer(member, django_assert_num_queries):
    from chapterhouse.lib.interface import Viewer

    make_notices(member, 3)
    viewer = Viewer(member.user)
    viewer.member  # noqa: B018 - load the profile outside the count
    with django_assert_num_queries(1):
        assert unread_count_for(viewer) == 5
        assert unread_count_for(viewer) == 5
    viewer.forget()  # after a write
    make_notices(member, 1)
    assert unread_count_for(viewer) == 6


def test_the_unread_count_follows_changes_made_through_the_services(member):
    assert unread_count(member) == 2
    notify(recipients=[member], kind=Kind.MEMBER_JOINED, message=SAY, params=said("x"))
    assert unread_count(member) == 3
    mark_read(member=member)
    assert unread_count(member) == 0


def test_the_header_count_costs_one_query_however_often_it_is_rendered(
    member, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = member.user
    first, second = member_context(request), member_context(request)
    with django_assert_num_queries(1):
        assert first["unread_notifications"] == 2
        assert second["unread_notifications"] == 2


def test_anonymous_visitors_have_no_unread_count(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert member_context(request)["unread_notifications"] == 0


def test_email_choices_start_from_the_defaults_and_follow_the_member(member):
    defaults = {kind: "each" if kind in EMAIL_BY_DEFAULT else "off" for kind in Kind}
    assert email_choices_for(member) == defaults
    assert defaults[Kind.WELCOME] == "each" and defaults[Kind.MEMBER_JOINED] == "off"
    set_email_preferences(member=member, choices={"welcome": "off", "member_joined": "daily"})
    assert email_choices_for(member) == defaults | {
        Kind.WELCOME: "off", Kind.MEMBER_JOINED: "daily",
    }


@pytest.mark.parametrize(
    "languages,expected",
    [([], "en"), (["es"], "es"), (["es-MX"], "es"), (["it", "es"], "es"), (["pl"], "en"),
     (["fr"], "fr"), (["ar", "en"], "ar")],
)
def test_a_member_is_written_to_in_the_first_language_the_site_speaks(
    member, languages, expected
):
    member.languages = languages
    assert language_for(member) == expected
