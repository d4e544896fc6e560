"""The Atom feeds: valid XML, published posts only, their dates, absolute addresses."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from chapterhouse.blogs import selectors, services
from chapterhouse.blogs.tests.factories import make_post
from chapterhouse.members.models import Visibility

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = "/c/gb/eng/london/hackney/blog/feed/"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own feed, in a test


def when(element, tag):
    return datetime.fromisoformat(element.find(ATOM + tag).text)


def test_the_chapter_feed_carries_published_posts_newest_first(facilitator, client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "chapters.example.org"]
    older = make_post(facilitator, title="Older")
    newer = make_post(facilitator, title="Newer <b>bold</b>", body="Hello *you*")
    make_post(facilitator, title="A draft", publish=False)
    services.edit_post(post=older, editor=facilitator, title="Older, edited", body="Changed")
    feed = parse(client.get(FEED, HTTP_HOST="chapters.example.org"))
    assert feed.tag == ATOM + "feed"
    assert feed.find(ATOM + "title").text == "Blog of Hackney"
    entries = feed.findall(ATOM + "entry")
    assert [entry.find(ATOM + "title").text for entry in entries] == [
        "Newer <b>bold</b>", "Older, edited"]
    first, second = entries
    assert first.find(ATOM + "link").get("href") == (
        "http://chapters.example.org" + newer.get_absolute_url())
    assert first.find(ATOM + "id").text == f"urn:uuid:{newer.public_id}"
    assert first.find(ATOM + "author/" + ATOM + "name").text == "Fay Facilitator"
    assert "<em>you</em>" in first.find(ATOM + "summary").text
    older.refresh_from_db()
    assert when(second, "published") == older.published_at
    assert when(second, "updated") == older.updated_at > older.published_at
    assert when(first, "updated") == newer.published_at
    # The feed's own date is its newest change.
    assert when(feed, "updated") == older.updated_at
    self_link = [link for link in feed.findall(ATOM + "link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == "http://chapters.example.org" + FEED


def test_an_empty_feed_is_valid(member, client):
    feed = parse(client.get(FEED))
    assert feed.findall(ATOM + "entry") == []
    assert feed.find(ATOM + "updated").text


def test_an_unpublished_post_leaves_the_feed(facilitator, client):
    post = make_post(facilitator)
    services.unpublish_post(post=post, actor=facilitator)
    assert parse(client.get(FEED)).findall(ATOM + "entry") == []


def test_a_member_feed_follows_their_profile(member, client, member_client):
    make_post(member, blog=selectors.blog_of_member(member), title="My own")
    url = f"/m/{member.public_id}/blog/feed/"
    assert client.get(url).status_code == 404  # members-only profile: no feed for visitors
    assert [e.find(ATOM + "title").text for e in parse(member_client.get(url)).findall(
        ATOM + "entry")] == ["My own"]
    member.profile_visibility = Visibility.PUBLIC
    member.save()
    feed = parse(client.get(url))
    assert feed.find(ATOM + "title").text == "Blog of Ada Member"
    assert len(feed.findall(ATOM + "entry")) == 1
    assert datetime.now().astimezone() - when(feed.find(ATOM + "entry"), "published") < (
        timedelta(minutes=5))
