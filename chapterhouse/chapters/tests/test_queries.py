"""Chapter pages cost a constant number of queries, however many rows sit behind them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role
from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

CHAPTER_PAGE_BUDGET = 8

CITIES = ["Manchester", "Bristol", "York", "Leeds", "Bath", "Oxford", "Derby", "Hull"]


def grow(size: int) -> None:
    """Add members, cities, neighbourhoods and facilitators around London."""
    for index in range(size):
        person = make_member(f"Person {index}", city=CITIES[index % len(CITIES)],
                             neighbourhood=f"Quarter {index}" if index % 2 else "")
        person.profile_visibility = Visibility.PUBLIC
        person.save()
        make_member(f"Londoner {index}", city="London", neighbourhood=f"Area {index}")
        if index % 3 == 0:
            grant_role(chapter=person.home_chapter, member=person,
                       source=ChapterRole.Source.ADMIN)


def count_queries(client, path: str) -> int:
    client.get(path)  # warm up: presence touch, session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


PAGES = [
    "/c/",
    "/c/gb/",
    "/c/gb/eng/",
    "/c/gb/eng/london/",
    "/c/gb/eng/london/hackney/",
    "/c/gb/eng/members/",
    "/c/gb/eng/london/members/",
    "/c/gb/eng/chapters/",
]


@pytest.mark.parametrize("persona", ["client", "member_client", "facilitator_client"])
def test_chapter_pages_run_a_constant_number_of_queries(request, member, persona):
    client = request.getfixturevalue(persona)
    grow(2)
    small = {path: count_queries(client, path) for path in PAGES}
    grow(14)
    large = {path: count_queries(client, path) for path in PAGES}
    assert small == large
    assert all(count <= CHAPTER_PAGE_BUDGET for count in large.values()), large


def test_the_breadcrumb_siblings_of_every_level_come_from_one_query(member_client):
    grow(6)
    with CaptureQueriesContext(connection) as queries:
        member_client.get("/c/gb/eng/london/hackney/")
    # Each level's siblings are a `LIMIT 101` subquery; all five levels in one query.
    sibling_queries = [q["sql"] for q in queries if "LIMIT 101" in q["sql"]]
    assert len(sibling_queries) == 1
    assert sibling_queries[0].count("LIMIT 101") == 5


def test_my_chapters_and_my_roles_run_a_constant_number_of_queries(member_client, member):
    small = (count_queries(member_client, "/c/mine/"), count_queries(member_client, "/me/roles/"))
    grow(6)
    for index in range(6):
        make_member(f"Hackney {index}", city="London", neighbourhood="Hackney")
    large = (count_queries(member_client, "/c/mine/"), count_queries(member_client, "/me/roles/"))
    assert small == large



def test_a_page_asking_for_its_chapter_twice_reads_the_chain_once(rf, member):
    from chapterhouse.chapters.access import access_chapter
    from chapterhouse.lib.interface import viewer_of

    request = rf.get("/c/gb/eng/london/")
    request.user = member.user
    first = access_chapter(request, "gb/eng/london")
    with CaptureQueriesContext(connection) as queries:
        again = access_chapter(request, "gb/eng/london")
    assert again is first
    assert [q["sql"] for q in queries if "chapters_chapter" in q["sql"]] == []
    viewer_of(request).forget()  # a write forgets it: the next ask reads anew
    with CaptureQueriesContext(connection) as queries:
        access_chapter(request, "gb/eng/london")
    assert len(queries) == 1
