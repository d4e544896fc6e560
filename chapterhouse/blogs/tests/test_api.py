"""Blog posts over the REST API: the pages' rules and services (drafts are 404s to
others), bad input refused with nothing stored, and the lists' cost."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.audit.models import AuditEntry
from chapterhouse.blogs import selectors, services
from chapterhouse.blogs.models import BlogPost
from chapterhouse.blogs.tests.factories import make_post
from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member, token_client_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/blog-posts/"
HACKNEY = "gb/eng/london/hackney"


def one(post):
    return f"{LIST}{post.public_id}/"


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, data, content_type="application/json")


def public(member):
    member.profile_visibility = Visibility.PUBLIC
    member.save()
    return member


# -- Reading ------------------------------------------------------------------------------

def test_anyone_lists_a_chapter_blogs_published_posts(client, facilitator):
    make_post(facilitator, title="First")
    make_post(facilitator, title="Second")
    make_post(facilitator, title="Draft", publish=False)
    body = client.get(LIST, {"chapter": HACKNEY}).json()
    assert [row["title"] for row in body["results"]] == ["Second", "First"]
    row = body["results"][1]
    assert row["body_html"] == "<p>We met in the <strong>park</strong>.</p>"
    assert row["blog"]["chapter"]["url_path"] == HACKNEY and row["blog"]["owner"] is None
    assert row["author"]["display_name"] == "Fay Facilitator"
    assert row["web_url"] == f"/c/{HACKNEY}/blog/first/"
    assert "body" not in row


def test_a_members_blog_is_read_by_whoever_sees_their_profile(client, member, outsider):
    blog = selectors.blog_of_member(member)
    make_post(member, blog=blog, title="Mine")
    make_post(member, blog=selectors.blog_of_member(member), title="Draft", publish=False)
    params = {"member": str(member.public_id)}
    assert client.get(LIST, params).status_code == 404
    public(member)
    rows = client.get(LIST, params).json()["results"]
    assert [row["title"] for row in rows] == ["Mine"]
    assert rows[0]["blog"]["owner"]["public_id"] == str(member.public_id)
    assert rows[0]["web_url"] == f"/m/{member.public_id}/blog/mine/"


def test_drafts_are_listed_for_their_writers_only(client, facilitator, member, outsider):
    make_post(facilitator, title="Published")
    make_post(facilitator, title="Draft", publish=False)
    drafts = {"chapter": HACKNEY, "drafts": "1"}
    rows = token_client_for(facilitator).get(LIST, drafts).json()["results"]
    assert [row["title"] for row in rows] == ["Draft"]
    for persona in (member, outsider):
        assert token_client_for(persona).get(LIST, drafts).json()["results"] == []
    assert client.get(LIST, drafts).status_code == 401


def test_the_list_needs_one_known_blog_and_a_whole_page_number(client, member):
    assert client.get(LIST).status_code == 400
    assert client.get(LIST, {"chapter": HACKNEY, "member": str(member.public_id)}
                      ).status_code == 400
    assert client.get(LIST, {"chapter": "gb/nowhere"}).status_code == 404
    assert client.get(LIST, {"member": "not-an-id"}).status_code == 404
    assert client.get(LIST, {"chapter": HACKNEY, "page": "abc"}).status_code == 400
    assert client.get(LIST, {"chapter": HACKNEY, "drafts": "yes"}).status_code == 400
    assert client.get(LIST, {"chapter": "international"}).status_code == 200


def test_one_post_with_its_source_for_those_who_may_change_it(client, facilitator, member):
    post = make_post(facilitator)
    assert client.get(one(post)).json()["body"] is None
    assert token_client_for(member).get(one(post)).json()["may_change"] is False
    mine = token_client_for(facilitator).get(one(post)).json()
    assert mine["body"] == "We met in the **park**." and mine["may_change"]
    assert client.get(f"{LIST}00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_draft_is_404_to_others(client, facilitator, member, outsider):
    draft = make_post(facilitator, publish=False)
    for someone in (token_client_for(member), token_client_for(outsider), client):
        assert someone.get(one(draft)).status_code == 404
    assert token_client_for(facilitator).get(one(draft)).status_code == 200
    outsider_client = token_client_for(outsider)
    assert patch_json(outsider_client, one(draft), {"title": "x"}).status_code == 404
    assert post_json(outsider_client, one(draft) + "publish/", {}).status_code == 404
    assert outsider_client.delete(one(draft)).status_code == 404
    assert not BlogPost.objects.get().is_published


# -- Writing ------------------------------------------------------------------------------

def test_a_facilitator_writes_a_draft_then_publishes_it(facilitator, client):
    writer = token_client_for(facilitator)
    response = post_json(writer, LIST, {"chapter": HACKNEY, "title": "By API",
                                        "body": "Text"})
    assert response.status_code == 201, response.json()
    assert response.json()["is_published"] is False
    post = BlogPost.objects.get()
    assert (post.title, post.author, post.blog.chapter) == (
        "By API", facilitator, facilitator.home_chapter)
    assert client.get(one(post)).status_code == 404
    assert post_json(writer, one(post) + "publish/", {}).json()["is_published"]
    assert client.get(one(post)).status_code == 200
    assert post_json(writer, one(post) + "unpublish/", {}).json()["is_published"] is False
    assert client.get(one(post)).status_code == 404


def test_a_member_writes_and_publishes_in_their_own_blog(member):
    response = post_json(token_client_for(member), LIST,
                         {"chapter": None, "title": "Mine", "body": "Text", "publish": True})
    assert response.status_code == 201
    post = BlogPost.objects.get()
    assert post.blog.owner == member and post.is_published


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_those_who_may_not_write_get_403_and_nothing_is_stored(request, persona,
                                                              facilitator):
    client = token_client_for(request.getfixturevalue(persona))
    response = post_json(client, LIST, {"chapter": HACKNEY, "title": "x", "body": "y"})
    assert response.status_code == 403
    assert not BlogPost.objects.exists()


def test_members_write_where_the_chapter_allows_it(member, facilitator):
    services.set_members_may_write(chapter=member.home_chapter, actor=facilitator,
                                   allowed=True)
    response = post_json(token_client_for(member), LIST,
                         {"chapter": HACKNEY, "title": "x", "body": "y"})
    assert response.status_code == 201


def test_without_credentials_writing_is_401(client, facilitator):
    post = make_post(facilitator)
    assert post_json(client, LIST, {"chapter": HACKNEY, "title": "x", "body": "y"}
                     ).status_code == 401
    assert patch_json(client, one(post), {"title": "x"}).status_code == 401
    assert post_json(client, one(post) + "unpublish/", {}).status_code == 401
    assert client.delete(one(post)).status_code == 401
    assert BlogPost.objects.get().title == "Our first picnic"


@pytest.mark.parametrize("data, field", [
    ({"chapter": HACKNEY, "title": "", "body": "y"}, "title"),
    ({"chapter": HACKNEY, "title": "\u200f", "body": "y"}, "title"),
    ({"chapter": HACKNEY, "title": "x" * 201, "body": "y"}, "title"),
    ({"chapter": HACKNEY, "title": "x", "body": "y" * 50_001}, "body"),
    ({"chapter": HACKNEY, "title": "x"}, "body"),
    ({"chapter": HACKNEY, "title": "x", "body": "y", "slug": "mine"}, "slug"),
    ({"chapter": HACKNEY, "title": "x", "body": "y", "publish": "maybe"}, "publish"),
    ({"chapter": HACKNEY, "title": "x", "body": "y", "publish": "0"}, "publish"),
    ({"chapter": HACKNEY, "title": 0, "body": "y"}, "title"),
    ({"title": "x", "body": "y"}, "chapter"),
])
def test_bad_posts_are_400_and_nothing_is_stored(facilitator, data, field):
    response = post_json(token_client_for(facilitator), LIST, data)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not BlogPost.objects.exists()


def test_the_author_edits_the_title_and_keeps_the_text_and_address(facilitator):
    post = make_post(facilitator)
    response = patch_json(token_client_for(facilitator), one(post), {"title": "Renamed"})
    assert response.status_code == 200
    changed = BlogPost.objects.get()
    assert (changed.title, changed.body, changed.slug) == (
        "Renamed", "We met in the **park**.", post.slug)


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"body": "  "}, "body"),
    ({"body": "y" * 50_001}, "body"),
    ({"published_at": None}, "published_at"),
])
def test_bad_edits_are_400_and_change_nothing(facilitator, data, field):
    post = make_post(facilitator)
    response = patch_json(token_client_for(facilitator), one(post), data)
    assert response.status_code == 400 and field in response.json(), response.json()
    unchanged = BlogPost.objects.get()
    assert (unchanged.title, unchanged.body, unchanged.updated_at, unchanged.is_published) == (
        post.title, post.body, post.updated_at, True)


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_someone_elses_post_is_403_and_unchanged(request, persona, facilitator):
    post = make_post(facilitator)
    client = token_client_for(request.getfixturevalue(persona))
    assert patch_json(client, one(post), {"title": "Hijack"}).status_code == 403
    assert post_json(client, one(post) + "unpublish/", {}).status_code == 403
    assert client.delete(one(post)).status_code == 403
    unchanged = BlogPost.objects.get()
    assert unchanged.title == "Our first picnic" and unchanged.is_published


def test_a_facilitator_deletes_a_members_post(member, facilitator):
    services.set_members_may_write(chapter=member.home_chapter, actor=facilitator,
                                   allowed=True)
    post = make_post(member)
    assert token_client_for(facilitator).delete(one(post)).status_code == 204
    assert not BlogPost.objects.exists()
    assert AuditEntry.objects.filter(action="blogs.delete_post").exists()


def test_an_action_with_a_body_is_refused(facilitator):
    draft = make_post(facilitator, publish=False)
    response = post_json(token_client_for(facilitator), one(draft) + "publish/",
                         {"when": "now"})
    assert response.status_code == 400 and "when" in response.json()
    assert not BlogPost.objects.get().is_published


# -- Cost ---------------------------------------------------------------------------------

def _count(client, params):
    client.get(LIST, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", [None, "member", "facilitator"])
def test_the_lists_cost_the_same_whatever_their_length(request, persona, facilitator,
                                                       outsider):
    client = Client() if persona is None else token_client_for(
        request.getfixturevalue(persona))
    public(outsider)
    services.set_members_may_write(chapter=facilitator.home_chapter, actor=facilitator,
                                   allowed=True)

    def grow(n):
        for index in range(n):
            writer = make_member(f"Writer {index}", city="London", neighbourhood="Hackney")
            make_post(writer, title=f"Post {index}")
            make_post(writer, title=f"Draft {index}", publish=False)
            make_post(outsider, blog=selectors.blog_of_member(outsider),
                      title=f"Own {index}")

    grow(1)
    lists = [{"chapter": HACKNEY}, {"member": str(outsider.public_id)}]
    if persona is not None:
        lists.append({"chapter": HACKNEY, "drafts": "1"})
    small = [_count(client, params) for params in lists]
    grow(6)
    assert [_count(client, params) for params in lists] == small
