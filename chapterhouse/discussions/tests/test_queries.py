"""The thread page and the forum list cost a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.discussions import services
from chapterhouse.discussions.markup import mention_token
from chapterhouse.members.tests.factories import make_member

from .factories import HACKNEY, chapter_at, first_post, make_thread

pytestmark = pytest.mark.django_db

THREAD_PAGE_BUDGET = 13
FORUM_PAGE_BUDGET = 12


def count_queries(client, path: str) -> int:
    client.get(path)  # warm up: presence, session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def grow_thread(thread, size: int) -> None:
    """Posts by several authors, with mentions, replies, quotes and edits."""
    people = [make_member(f"Poster {thread.post_count}-{i}", city="London",
                          neighbourhood="Hackney") for i in range(3)]
    answered = first_post(thread)
    for index in range(size):
        author = people[index % len(people)]
        body = f"Point {index}, {mention_token(people[(index + 1) % len(people)])}"
        post = services.reply(thread=thread, author=author, body=body,
                              reply_to=answered if index % 2 else None)
        if index % 5 == 0:
            services.edit_post(post=post, editor=author, body=body + " (edited)")
    thread.refresh_from_db()


@pytest.mark.parametrize("persona", ["client", "member_client", "facilitator_client"])
def test_the_thread_page_runs_a_constant_number_of_queries(request, member, persona):
    client = request.getfixturevalue(persona)
    thread = make_thread(member)
    grow_thread(thread, 3)
    small = count_queries(client, thread.get_absolute_url())
    grow_thread(thread, 60)  # more than a page
    large = count_queries(client, thread.get_absolute_url())
    last_page = count_queries(client, thread.get_absolute_url() + "?page=2")
    assert small == large == last_page
    assert large <= THREAD_PAGE_BUDGET, large


def test_the_thread_page_about_a_subject_costs_one_more_query(client, member):
    plain = make_thread(member)
    about = make_thread(member, title="About London", subject=chapter_at("gb/eng/london"),
                        kind="deliberation")
    assert count_queries(client, about.get_absolute_url()) == count_queries(
        client, plain.get_absolute_url()) + 1


@pytest.mark.parametrize("persona", ["client", "member_client", "facilitator_client"])
def test_the_forum_list_runs_a_constant_number_of_queries(request, member, persona):
    client = request.getfixturevalue(persona)
    path = f"/forums/{HACKNEY}/"
    authors = [member] + [make_member(f"Starter {i}", city="London", neighbourhood="Hackney")
                          for i in range(4)]
    for index in range(3):
        make_thread(authors[index % len(authors)], title=f"Small {index}")
    small = count_queries(client, path)
    for index in range(55):
        make_thread(authors[index % len(authors)], title=f"Large {index}")
    large = count_queries(client, path)
    assert small == large
    assert large <= FORUM_PAGE_BUDGET, large


def test_the_edit_history_runs_a_constant_number_of_queries(client, member):
    thread = make_thread(member)
    post = first_post(thread)
    services.edit_post(post=post, editor=member, body="two")
    path = f"/discussions/posts/{post.public_id}/history/"
    small = count_queries(client, path)
    for index in range(10):
        services.edit_post(post=post, editor=member, body=f"{mention_token(member)} {index}")
    assert count_queries(client, path) == small


def test_the_forum_list_counts_what_is_new_in_one_more_query(member_client, member,
                                                             neighbour):
    """The per-thread counts and first-unread links are in the list's own query; the
    forum's total and the member's level for it are the one query more."""
    from chapterhouse.discussions.models import Level

    path = f"/forums/{HACKNEY}/"
    make_thread(neighbour, title="Before")
    baseline = count_queries(member_client, path)

    def grow(count: int) -> None:
        for index in range(count):
            thread = make_thread(neighbour, title=f"Read {index}", replies=2)
            if index % 3 == 0:
                services.mark_read(member=member, thread=thread, post=first_post(thread))
            if index % 3 == 1:
                services.set_thread_level(member=member, thread=thread, level=Level.MUTED)

    grow(3)
    small = count_queries(member_client, path)
    grow(55)
    large = count_queries(member_client, path)
    assert small == large == baseline
    assert large <= FORUM_PAGE_BUDGET, large


def test_the_thread_page_marks_read_in_a_constant_number_of_queries(member_client, member,
                                                                    neighbour):
    """Reading state is one query; moving it forward one UPDATE, whatever the page."""
    thread = make_thread(neighbour)
    grow_thread(thread, 3)
    read_before = count_queries(member_client, thread.get_absolute_url())
    services.reply(thread=thread, author=neighbour, body="New one")
    with CaptureQueriesContext(connection) as queries:
        member_client.get(thread.get_absolute_url())
    small = len(queries)
    grow_thread(thread, 60)
    with CaptureQueriesContext(connection) as queries:
        member_client.get(thread.get_absolute_url() + "?page=2")
    large = len(queries)
    assert small == large == read_before + 1  # the UPDATE that moves it forward
    assert large <= THREAD_PAGE_BUDGET, large
