"""The chapter page's cost: a few queries whatever the tree's size, for every persona;
the breadcrumb reused from the cache and still right when a chapter is added."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters import navigation, selectors
from chapterhouse.chapters.models import Chapter
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 8  # QUALITY.md: the chapter page runs at most 8 queries at every size


def queries(client, path: str) -> int:
    client.get(path)  # warm up: presence, session, the breadcrumb's cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def grow_london(n: int) -> None:
    for i in range(n):
        make_member(f"Londoner {i}", city="London", neighbourhood=f"Place {i}")
        make_member(f"Northerner {i}", city=f"Town {i}")


@pytest.mark.parametrize("persona", ["client", "outsider_client", "member_client"])
def test_the_chapter_page_costs_the_same_few_queries_at_any_size(request, member, persona):
    client = request.getfixturevalue(persona)
    small = queries(client, "/c/gb/eng/london/")
    grow_london(6)
    large = queries(client, "/c/gb/eng/london/")
    assert small == large <= PAGE_BUDGET


def test_the_breadcrumb_and_the_sub_chapters_are_computed_once_then_reused(client, member):
    with CaptureQueriesContext(connection) as first:
        client.get("/c/gb/eng/london/")
    with CaptureQueriesContext(connection) as second:
        page = client.get("/c/gb/eng/london/").content.decode()
    # children_around() (the breadcrumb) and children_of() (the card) ran the first time
    # only (and panels that cache their own content, such as the blog's, too).
    assert len(second) <= len(first) - 2
    assert 'href="/c/gb/eng/london/hackney/">Hackney<' in page.split('class="plain subchapters"')[1]


def test_a_new_chapter_shows_in_the_cached_breadcrumb_at_once(
    client, member, django_capture_on_commit_callbacks
):
    assert "Shoreditch" not in client.get("/c/gb/eng/london/hackney/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # bumps the tree version
        make_member("S", city="London", neighbourhood="Shoreditch")
    page = client.get("/c/gb/eng/london/hackney/").content.decode()
    assert 'href="/c/gb/eng/london/shoreditch/">Shoreditch<' in page


def test_a_new_sub_chapter_shows_in_the_cached_card_at_once(
    client, member, django_capture_on_commit_callbacks
):
    assert "Shoreditch" not in client.get("/c/gb/eng/london/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # bumps the tree version
        make_member("S", city="London", neighbourhood="Shoreditch")
    card = client.get("/c/gb/eng/london/").content.decode().split('class="plain subchapters"')[1]
    assert 'href="/c/gb/eng/london/shoreditch/">Shoreditch<' in card


def test_the_breadcrumb_is_cached_per_language(client, member):
    Chapter.objects.filter(url_path="gb").update(names={"es": "Reino Unido"})
    client.get("/c/gb/eng/", HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/c/gb/eng/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'href="/c/gb/">Reino Unido<' in page


def test_chapter_links_match_get_absolute_url_also_for_other_scripts(member):
    make_member("T", city="Tokyo", neighbourhood="新宿", region=("JP-13", "Tokyo"),
                country=("JP", "Japan"))
    chapters = list(Chapter.objects.all())
    assert any(not chapter.url_path.isascii() for chapter in chapters)
    links = navigation.chapter_links(chapters)
    assert [link.url for link in links] == [c.get_absolute_url() for c in chapters]
    assert [link.name for link in links] == [c.display_name() for c in chapters]


def test_children_around_loads_only_what_a_link_needs(member, django_assert_num_queries):
    found = selectors.chapter_chain("gb/eng/london")
    assert found is not None
    with django_assert_num_queries(1):
        children = selectors.children_around(found.chain)
        links = navigation.chapter_links(c for level in children.values() for c in level.top)
    assert "gb/eng/london/hackney" in [link.url_path for link in links]


def test_chapter_pages_work_while_redis_is_down(client, member, settings):
    settings.CACHES = {"default": {
        "BACKEND": "chapterhouse.lib.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        "OPTIONS": {"socket_connect_timeout": 1},
    }}
    for path in ["/c/gb/eng/london/", "/decisions/c/gb/eng/london/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert 'href="/c/gb/eng/london/hackney/">Hackney<' in response.content.decode()
