"""A thread about something is read by whoever sees that thing (discussions.subjects):
the comments of a members-only event, or of an unpublished blog post, are not public."""

import pytest

from chapterhouse.blogs import services as blogs
from chapterhouse.blogs.tests.factories import comments_of, make_post
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.events.tests.factories import make_event

pytestmark = pytest.mark.django_db


def test_a_members_only_events_comments_are_for_its_members(
    client, member_client, outsider_client, facilitator
):
    public = make_event(author=facilitator, title="Open picnic")
    private = make_event(author=facilitator, title="Members' meeting", is_public=False)
    open_thread = thread_about(public, kind="comments")
    closed_thread = thread_about(private, kind="comments")
    assert open_thread is not None and closed_thread is not None
    assert client.get(open_thread.get_absolute_url()).status_code == 200
    assert member_client.get(closed_thread.get_absolute_url()).status_code == 200
    assert outsider_client.get(closed_thread.get_absolute_url()).status_code == 404
    assert client.get(closed_thread.get_absolute_url()).status_code == 404


def test_an_unpublished_posts_comments_are_its_authors(client, facilitator_client, facilitator):
    post = make_post(facilitator)
    thread = comments_of(post)
    assert client.get(thread.get_absolute_url()).status_code == 200
    blogs.unpublish_post(post=post, actor=facilitator)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert facilitator_client.get(thread.get_absolute_url()).status_code == 200
