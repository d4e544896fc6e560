"""Fixtures shared by every app's tests: the three personas and more."""

import pytest
from django.test import Client

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file rather than memory, so that the fault
    drills' real processes (task workers) open the same database as the test."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def fresh_realtime_state() -> None:
    """What a new process starts with: no channel layer made yet, and the Redis circuit
    breakers closed. The layer is cached per process (channels.layers.channel_layers) and
    channels_redis's layer remembers the event loop that receives from it: a layer an
    earlier test received on, in a loop now closed, refuses another loop ("Two event loops
    are trying to receive() on one channel layer"); a breaker an earlier drill opened
    would skip this test's pushes."""
    from channels.layers import channel_layers

    from chapterhouse.lib import cache

    channel_layers.backends = {}
    with cache._breakers_lock:
        cache._breakers.clear()


@pytest.fixture(autouse=True)
def _fresh_realtime():
    fresh_realtime_state()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request in another language leaves
    that language active in the thread (LocaleMiddleware activates, nothing resets)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def page_cache(settings):
    """Signed-out visitors' pages kept 30 s, as in production (lib/pagecache; off in
    tests otherwise), in a cache emptied before and after the test."""
    from django.core.cache import cache

    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _newcomer_limits_off(monkeypatch):
    """The personas joined during the test, so they are new members, and many tests
    write more than a new member may in an hour: the shipped newcomer limits
    (chapters.limits) are off unless a test asks for them with `newcomer_limits`.
    Limits a chapter sets by decision apply in every test."""
    from chapterhouse.chapters import limits

    monkeypatch.setattr(limits, "DEFAULT", limits.Limits(days=0, posts=0))


@pytest.fixture
def newcomer_limits(monkeypatch):
    """The shipped newcomer limits, as in production."""
    from chapterhouse.chapters import limits

    monkeypatch.setattr(limits, "DEFAULT", limits.STANDARD)
    return limits.STANDARD


@pytest.fixture
def member(db) -> Member:
    """A member of International › United Kingdom › England › London › Hackney."""
    return make_member("Ada Member", city="London", neighbourhood="Hackney")


@pytest.fixture
def facilitator(db, member) -> Member:
    """A facilitator of the Hackney chapter (the member's home)."""
    other = make_member("Fay Facilitator", city="London", neighbourhood="Hackney")
    grant_role(chapter=other.home_chapter, member=other, source=ChapterRole.Source.ADMIN)
    return other


@pytest.fixture
def neighbour(db, member) -> Member:
    """Another member of Hackney (the member's home)."""
    return make_member("Nell Neighbour", city="London", neighbourhood="Hackney")


@pytest.fixture
def outsider(db) -> Member:
    """A member of another country's chapters."""
    return make_member(
        "Oscar Outsider", city="Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
        country=("FR", "France"),
    )


def client_for(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def member_client(member) -> Client:
    return client_for(member)


@pytest.fixture
def facilitator_client(facilitator) -> Client:
    return client_for(facilitator)


@pytest.fixture
def neighbour_client(neighbour) -> Client:
    return client_for(neighbour)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return client_for(outsider)


