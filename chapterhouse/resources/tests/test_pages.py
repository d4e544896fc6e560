"""The library pages: who sees what, the download, the forms, and what a list costs."""

import os

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.audit.models import AuditEntry
from chapterhouse.chapters.models import Chapter
from chapterhouse.conftest import client_for
from chapterhouse.members.tests.factories import make_member
from chapterhouse.resources.models import Resource, Visibility

from .factories import PDF, PNG, make_file, make_link, upload

pytestmark = pytest.mark.django_db

HACKNEY = "/c/gb/eng/london/hackney/"
LIBRARY = HACKNEY + "resources/"


def test_the_chapter_navigation_shows_the_library(member, client):
    response = client.get(HACKNEY)
    assert LIBRARY in response.content.decode()


def test_anyone_sees_the_public_resources_and_members_see_the_members_only_too(
    member, member_client, outsider_client, client, facilitator_client,
):
    make_link(member, title="Public guide")
    make_link(member, title="Phone tree", url="https://example.org/tree",
              visibility=Visibility.MEMBERS)
    for reader in (client, outsider_client):
        page = reader.get(LIBRARY).content.decode()
        assert "Public guide" in page and "Phone tree" not in page
    for reader in (member_client, facilitator_client):
        page = reader.get(LIBRARY).content.decode()
        assert "Public guide" in page and "Phone tree" in page


def test_a_member_of_a_chapter_below_sees_the_members_only_of_the_chapter_above(member):
    london = Chapter.objects.get(url_path="gb/eng/london")
    make_link(member, title="London only", chapter=london, visibility=Visibility.MEMBERS)
    page = client_for(member).get("/c/gb/eng/london/resources/").content.decode()
    assert "London only" in page


def test_the_tag_filter_narrows_the_list(member, client):
    make_link(member, title="Training notes", tags="training")
    make_link(member, title="Flyer text", url="https://example.org/f", tags="flyers")
    page = client.get(LIBRARY + "?tag=Training").content.decode()
    assert "Training notes" in page and "Flyer text" not in page
    assert 'href="?tag=flyers"' in page


def test_the_tag_list_shows_no_tag_of_a_members_only_resource_to_outsiders(member, client):
    make_link(member, title="Secret", tags="secret plans", visibility=Visibility.MEMBERS)
    assert "secret plans" not in client.get(LIBRARY).content.decode()


def test_a_member_downloads_a_file_as_an_attachment_that_never_runs(member, member_client):
    resource = make_file(member, name="minutes.pdf", data=PDF)
    response = member_client.get(resource.get_download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_download_is_served_as_what_the_content_is_not_what_the_name_said(
    member, client,
):
    resource = make_file(member, name="report.pdf", data=PNG)
    response = client.get(resource.get_download_url())
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="report.png"'


def test_a_members_only_file_is_a_404_to_outsiders_and_anonymous(
    member, member_client, outsider_client, client,
):
    resource = make_file(member, visibility=Visibility.MEMBERS)
    for reader in (outsider_client, client):
        assert reader.get(resource.get_download_url()).status_code == 404
        assert reader.get(resource.get_absolute_url()).status_code == 404
    assert member_client.get(resource.get_download_url()).status_code == 200
    assert member_client.get(resource.get_absolute_url()).status_code == 200


def test_a_resource_is_not_found_under_another_chapter(member, member_client):
    resource = make_link(member)
    other = f"/c/gb/eng/london/resources/{resource.public_id}/"
    assert member_client.get(other).status_code == 404
    assert member_client.get(LIBRARY + "not-a-uuid/").status_code == 404


def test_a_link_has_no_download(member, client):
    resource = make_link(member)
    assert client.get(resource.get_download_url()).status_code == 404


def test_a_member_adds_a_link_with_the_form(member, member_client):
    response = member_client.post(LIBRARY + "new/", {
        "title": "Guide", "url": "https://example.org/guide", "tags": "guides",
        "visibility": "members", "description": "How we start",
    })
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    assert (resource.author, resource.visibility, resource.url) == (
        member, "members", "https://example.org/guide")


def test_a_member_uploads_a_file_with_the_form(member, member_client):
    response = member_client.post(LIBRARY + "new/", {
        "title": "Flyer", "visibility": "public", "file": upload("flyer.pdf", PDF),
    })
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.filename == "flyer.pdf" and resource.size == len(PDF)


def test_outsiders_may_not_add_and_anonymous_are_sent_to_log_in(member, outsider_client, client):
    assert outsider_client.get(LIBRARY + "new/").status_code == 403
    response = outsider_client.post(LIBRARY + "new/", {
        "title": "Spam", "url": "https://example.org", "visibility": "public"})
    assert response.status_code == 403
    assert client.get(LIBRARY + "new/").status_code == 302
    assert not Resource.objects.exists()


def test_the_form_shows_a_bad_link_as_an_error(member_client):
    response = member_client.post(LIBRARY + "new/", {
        "title": "Bad", "url": "javascript:alert(1)", "visibility": "public"})
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_facilitator_removes_a_resource_with_a_reason(
    member, facilitator, facilitator_client, django_capture_on_commit_callbacks,
):
    resource = make_file(member)
    path = resource.file.path
    url = resource.get_absolute_url() + "remove/"
    assert facilitator_client.post(url, {"reason": ""}).status_code == 400
    assert Resource.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(url, {"reason": "Out of date"})
    assert response.status_code == 302 and response["Location"] == LIBRARY
    assert not Resource.objects.exists() and not os.path.exists(path)
    entry = AuditEntry.objects.get(action="resources.remove")
    assert entry.actor == facilitator
    assert entry.data == {"title": "Flyer", "reason": "Out of date", "author": "Ada Member"}


def test_members_and_outsiders_may_not_remove(member, member_client, outsider_client):
    resource = make_link(member)
    url = resource.get_absolute_url() + "remove/"
    assert member_client.post(url, {"reason": "mine"}).status_code == 403
    assert outsider_client.post(url, {"reason": "x"}).status_code == 403
    members_only = make_link(member, url="https://example.org/m", visibility=Visibility.MEMBERS)
    assert outsider_client.get(members_only.get_absolute_url() + "remove/").status_code == 404
    assert Resource.objects.count() == 2


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("reader", ["member", "anonymous"])
def test_the_library_costs_the_same_queries_for_3_or_20_resources(member, reader):
    client = client_for(member) if reader == "member" else Client()
    authors = [member, make_member("Bo", city="London", neighbourhood="Hackney")]
    for i in range(3):
        make_link(authors[i % 2], title=f"Link {i}", url=f"https://example.org/{i}",
                  tags=f"tag{i}, common")
    client.get(LIBRARY)  # warm the per-process caches (site, breadcrumb)
    few = _queries(client, LIBRARY)
    for i in range(3, 20):
        make_file(authors[i % 2], title=f"File {i}", tags=f"tag{i}, common",
                  visibility=Visibility.MEMBERS if i % 3 else Visibility.PUBLIC)
    many = _queries(client, LIBRARY)
    assert many == few
