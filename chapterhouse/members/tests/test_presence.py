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
