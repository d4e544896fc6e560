"""Presence: PresenceMiddleware records `last_seen` at most once a minute."""

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.members.middleware import TOUCH_EVERY_SECONDS
from chapterhouse.members.models import Member


def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith("UPDATE") and "last_seen" in q["sql"]]


def test_a_request_records_when_the_member_was_seen(member, member_client):
    assert member.last_seen is None
    member_client.get("/")
    member.refresh_from_db()
    assert member.last_seen is not None
    assert timezone.now() - member.last_seen < timedelta(seconds=5)
    assert member.is_online


def test_it_writes_at_most_once_a_minute(member, member_client):
    member_client.get("/")
    earlier = timezone.now() - timedelta(seconds=30)
    Member.objects.filter(pk=member.pk).update(last_seen=earlier)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            member_client.get("/")
    assert _updates(queries) == []
    member.refresh_from_db()
    assert member.last_seen == earlier


def test_after_a_minute_it_writes_again(member, member_client):
    assert TOUCH_EVERY_SECONDS == 60
    member_client.get("/")
    earlier = timezone.now() - timedelta(minutes=2)
    Member.objects.filter(pk=member.pk).update(last_seen=earlier)
    # The minute is kept by a cache key that expires; expire it.
    cache.delete(f"presence:{member.pk}")
    with CaptureQueriesContext(connection) as queries:
        member_client.get("/")
    assert len(_updates(queries)) == 1
    member.refresh_from_db()
    assert member.last_seen > earlier


def test_anonymous_requests_write_nothing(client, member):
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert _updates(queries) == []


def test_each_member_is_recorded_separately(member, outsider, member_client, outsider_client):
    member_client.get("/")
    outsider_client.get("/")
    member.refresh_from_db()
    outsider.refresh_from_db()
    assert member.last_seen is not None and outsider.last_seen is not None


def test_the_profile_turns_offline_when_the_member_goes_quiet(member, member_client,
                                                             outsider_client):
    member_client.get("/")
    html = outsider_client.get(member.get_absolute_url()).content.decode()
    assert 'class="presence online"' in html
    Member.objects.filter(pk=member.pk).update(last_seen=timezone.now() - timedelta(minutes=6))
    html = outsider_client.get(member.get_absolute_url()).content.decode()
    assert 'class="presence offline"' in html
    assert "last seen 6\xa0minutes ago" in html


# -- Where presence is shown: members/_presence.html -------------------------------------

def _list_row(html: str, name: str) -> str:
    """The chapter members list's row of `name`."""
    return html.split(f">{name}<", 1)[1].split("</li>", 1)[0]


def test_the_members_list_marks_who_is_online(member, facilitator, outsider_client):
    Member.objects.filter(pk=member.pk).update(last_seen=timezone.now())
    Member.objects.filter(pk=facilitator.pk).update(
        last_seen=timezone.now() - timedelta(hours=3))
    html = outsider_client.get("/c/gb/eng/london/hackney/members/").content.decode()
    assert 'class="presence online"' in _list_row(html, member.display_name)
    # Offline members are not marked in a list: only those online are.
    assert "presence" not in _list_row(html, facilitator.display_name)


def test_a_member_who_hides_presence_is_not_marked_online_anywhere(
    member, member_client, outsider_client
):
    Member.objects.filter(pk=member.pk).update(last_seen=timezone.now(), show_presence=False)
    listing = outsider_client.get("/c/gb/eng/london/hackney/members/").content.decode()
    assert "presence" not in _list_row(listing, member.display_name)
    profile = outsider_client.get(member.get_absolute_url()).content.decode()
    assert "presence" not in profile.split("<main", 1)[1]
    # The member still sees their own presence on their profile.
    own = member_client.get(member.get_absolute_url()).content.decode()
    assert 'class="presence online"' in own


def test_the_presence_include_says_last_seen_or_never(member):
    from django.template.loader import render_to_string

    def render(**extra):
        member.refresh_from_db()
        return render_to_string("members/_presence.html", {"member": member, **extra})

    assert "never signed in" in render()
    Member.objects.filter(pk=member.pk).update(last_seen=timezone.now() - timedelta(hours=2))
    assert "last seen 2\xa0hours ago" in render()
    assert "last seen" not in render(brief=True)
    assert render(online_only=True).strip() == ""
    Member.objects.filter(pk=member.pk).update(show_presence=False)
    assert render().strip() == ""
    assert 'class="presence offline"' in render(always=True)


def test_the_members_list_costs_the_same_queries_with_more_members_online(
    member, member_client
):
    from chapterhouse.members.tests.factories import make_member

    path = "/c/gb/eng/london/members/"

    def count() -> int:
        member_client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(path).status_code == 200
        return len(queries)

    small = count()
    for index in range(5):
        other = make_member(f"Online {index}", city="London", neighbourhood="Hackney")
        Member.objects.filter(pk=other.pk).update(last_seen=timezone.now())
    large = count()
    assert small == large
    assert member_client.get(path).content.decode().count('class="presence online"') >= 5
