"""The blog pages over HTTP: who sees and does what (outsiders and drafts are 404s),
the write form with and without publishing, bad input, and query counts of lists."""

import pytest
from django.urls import reverse

from chapterhouse.blogs import selectors, services
from chapterhouse.blogs.models import BlogPost
from chapterhouse.blogs.tests.factories import comments_of, make_post
from chapterhouse.conftest import client_for
from chapterhouse.members.models import Visibility
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
BLOG = HACKNEY + "blog/"
GOOD = {"title": "Our first picnic", "body": "We met in the **park**.\n\n<script>x()</script>"}


def test_the_blog_is_a_section_of_the_chapter(client, facilitator):
    make_post(facilitator)
    page = client.get(BLOG)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-current="page">Blog' in html and "Our first picnic" in html
    assert reverse("blogs:chapter", kwargs={"url_path": "gb/eng/london/hackney"}) == BLOG
    assert client.get(HACKNEY).content.decode().count(BLOG) >= 1  # the navigation links it


def test_a_facilitator_writes_a_draft_then_publishes_it(facilitator_client, client):
    response = facilitator_client.post(BLOG + "new/", GOOD)
    post = BlogPost.objects.get()
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    assert post.published_at is None
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Our first picnic" not in client.get(BLOG).content.decode()
    facilitator_client.post(reverse("blogs:publish", kwargs={"public_id": post.public_id}))
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>park</strong>" in page and "<script>x()" not in page
    assert 'id="comments"' in page


def test_publishing_from_the_form(facilitator_client):
    facilitator_client.post(BLOG + "new/", {**GOOD, "publish": "1"})
    assert BlogPost.objects.get().published_at is not None


@pytest.mark.parametrize("data", [
    {"title": "", "body": "text"}, {"title": "x" * 201, "body": "text"},
    {"title": "Title", "body": ""}, {"title": "Title", "body": "x" * 50_001},
    {"title": "\u200f\u202e", "body": "text"},  # only direction marks: no title
])
def test_bad_input_shows_the_form_again_and_stores_nothing(facilitator_client, data):
    response = facilitator_client.post(BLOG + "new/", data)
    assert response.status_code == 400 and b"errorlist" in response.content
    assert not BlogPost.objects.exists()


def test_a_member_may_not_write_until_the_facilitators_allow_it(
    member_client, facilitator_client
):
    assert member_client.get(BLOG + "new/").status_code == 403
    assert member_client.post(BLOG + "new/", GOOD).status_code == 403
    assert member_client.post(BLOG + "settings/", {"members_may_write": "on"}).status_code == 403
    facilitator_client.post(BLOG + "settings/", {"members_may_write": "on"})
    assert member_client.post(BLOG + "new/", GOOD).status_code == 302


def test_outsiders_and_anonymous_visitors(outsider_client, client, facilitator):
    published = make_post(facilitator)
    draft = make_post(facilitator, title="Secret plan", publish=False)
    for visitor in (outsider_client, client):
        assert visitor.get(BLOG).status_code == 200
        assert visitor.get(published.get_absolute_url()).status_code == 200
        assert visitor.get(draft.get_absolute_url()).status_code == 404
        assert "Secret plan" not in visitor.get(BLOG).content.decode()
        for action in ("edit", "publish", "unpublish", "delete"):
            url = reverse(f"blogs:{action}", kwargs={"public_id": draft.public_id})
            assert visitor.post(url).status_code in (302, 404)  # anonymous: to log in
        assert visitor.post(reverse("blogs:delete", kwargs={
            "public_id": published.public_id})).status_code in (302, 403)
    assert outsider_client.post(BLOG + "new/", GOOD).status_code == 403
    assert outsider_client.post(reverse("blogs:delete", kwargs={
        "public_id": published.public_id})).status_code == 403
    assert BlogPost.objects.count() == 2 and BlogPost.objects.get(pk=draft.pk).published_at is None
    assert client.get(BLOG + "new/").status_code == 302  # to log in
    assert client.get("/c/nowhere/blog/").status_code == 404
    assert client.get(BLOG + "no-such-post/").status_code == 404


def test_a_guessed_post_id_is_a_404(facilitator_client):
    url = reverse("blogs:edit", kwargs={"public_id": "00000000-0000-0000-0000-000000000000"})
    assert facilitator_client.get(url).status_code == 404


def test_a_member_comments_and_the_reply_comes_back_to_the_post(facilitator, member_client,
                                                                outsider_client):

    post = make_post(facilitator)
    thread = comments_of(post)
    reply_url = reverse("discussions:reply", kwargs={"public_id": thread.public_id})
    response = member_client.post(reply_url, {"body": "Lovely day",
                                              "next": post.get_absolute_url()})
    assert response.status_code == 302
    assert "Lovely day" in member_client.get(post.get_absolute_url()).content.decode()
    assert outsider_client.post(reply_url, {"body": "Not mine"}).status_code == 403


def test_a_facilitator_edits_unpublishes_and_deletes_a_members_post(
    facilitator, facilitator_client, member, member_client, client
):
    services.set_members_may_write(chapter=member.home_chapter, actor=facilitator, allowed=True)
    post = make_post(member)
    edit = reverse("blogs:edit", kwargs={"public_id": post.public_id})
    assert facilitator_client.get(edit).status_code == 200
    facilitator_client.post(edit, {"title": "Picnic, tidied", "body": "Better"})
    facilitator_client.post(reverse("blogs:unpublish", kwargs={"public_id": post.public_id}))
    post.refresh_from_db()
    assert (post.title, post.published_at) == ("Picnic, tidied", None)
    assert client.get(post.get_absolute_url()).status_code == 404
    assert member_client.get(post.get_absolute_url()).status_code == 200  # their own draft
    response = facilitator_client.post(
        reverse("blogs:delete", kwargs={"public_id": post.public_id}))
    assert response["Location"] == BLOG and not BlogPost.objects.exists()


def test_a_member_blog_under_their_profile(member, member_client, client, outsider_client):
    member.profile_visibility = Visibility.PUBLIC
    member.save()
    member_client.post(reverse("blogs:member_new"), {**GOOD, "publish": "1"})
    draft_response = member_client.post(reverse("blogs:member_new"), {"title": "Later",
                                                                      "body": "Soon"})
    post, draft = BlogPost.objects.order_by("pk")
    blog_url = f"/m/{member.public_id}/blog/"
    assert post.get_absolute_url() == f"{blog_url}our-first-picnic/"
    assert draft_response["Location"] == draft.get_absolute_url()
    assert "Our first picnic" in client.get(blog_url).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert outsider_client.get(draft.get_absolute_url()).status_code == 404
    assert "Later" in member_client.get(blog_url).content.decode()
    member.profile_visibility = Visibility.HIDDEN
    member.save()
    assert client.get(blog_url).status_code == 404
    assert outsider_client.get(post.get_absolute_url()).status_code == 404
    assert member_client.get(blog_url).status_code == 200


def test_nobody_writes_in_someone_elses_member_blog(member, outsider_client):
    post = make_post(member, blog=selectors.blog_of_member(member))
    url = reverse("blogs:edit", kwargs={"public_id": post.public_id})
    assert outsider_client.post(url, {"title": "Mine now", "body": "x"}).status_code == 403
    post.refresh_from_db()
    assert post.title == "Our first picnic"


def _grow(facilitator, count):
    others = [make_member(f"Writer {i}", city="London", neighbourhood="Hackney")
              for i in range(2)]
    services.set_members_may_write(chapter=facilitator.home_chapter, actor=facilitator,
                                   allowed=True)
    for index in range(count):
        make_post(others[index % 2], title=f"Post {index}")
        make_post(others[index % 2], title=f"Draft {index}", publish=False)


@pytest.mark.parametrize("url", [BLOG, HACKNEY, BLOG + "feed/"])
def test_lists_cost_the_same_whatever_their_size(facilitator, url, django_assert_max_num_queries):
    client = client_for(facilitator)
    _grow(facilitator, 2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(facilitator, 12)
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_the_member_blog_costs_the_same_whatever_its_size(member, member_client,
                                                          django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    blog = selectors.blog_of_member(member)
    make_post(member, blog=blog)
    url = f"/m/{member.public_id}/blog/"
    member_client.get(url)
    with CaptureQueriesContext(connection) as small:
        member_client.get(url)
    for index in range(10):
        make_post(member, blog=selectors.blog_of_member(member), title=f"P{index}")
        make_post(member, blog=selectors.blog_of_member(member), title=f"D{index}",
                  publish=False)
    with django_assert_max_num_queries(len(small)):
        assert member_client.get(url).status_code == 200


def test_the_profile_links_the_members_blog(member, member_client):
    page = member_client.get(member.get_absolute_url()).content.decode()
    assert f'href="/m/{member.public_id}/blog/"' in page


def test_the_list_shows_a_plain_excerpt(facilitator, client):
    make_post(facilitator, body="We met in the **park**.\n\n<script>alert(1)</script>")
    page = client.get(BLOG).content.decode()
    assert "We met in the park." in page
    assert "**park**" not in page and "<script>alert" not in page


def test_a_draft_is_published_from_its_edit_form(facilitator, facilitator_client, client):
    post = make_post(facilitator, publish=False)
    edit = reverse("blogs:edit", kwargs={"public_id": post.public_id})
    response = facilitator_client.post(edit, {"title": "Ready now", "body": "Done",
                                              "publish": "1"})
    assert response["Location"] == post.get_absolute_url()
    assert client.get(post.get_absolute_url()).status_code == 200
    assert facilitator_client.post(edit, {"title": "", "body": "Done"}).status_code == 400
    post.refresh_from_db()
    assert post.title == "Ready now"
