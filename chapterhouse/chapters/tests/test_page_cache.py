"""Chapter pages for signed-out visitors come from the cache, each with its own CSRF token."""

import hashlib
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import ChapterRole
from chapterhouse.chapters.services import grant_role, update_chapter
from chapterhouse.lib import pagecache
from chapterhouse.members.tests.factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

PAGE = "/c/gb/eng/london/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def visit(client, path=PAGE, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200
    return response.content.decode()


def token_of(html: str) -> str:
    [token] = TOKEN.findall(html)
    return token


def switches_language(client: Client, token: str) -> bool:
    response = client.post("/i18n/setlang/", {"language": "es", "next": PAGE,
                                              "csrfmiddlewaretoken": token})
    return response.status_code == 302


def test_a_second_anonymous_visit_runs_no_query_and_its_token_works(member):
    first = Client(enforce_csrf_checks=True)
    visit(first)  # rendered and cached
    second = Client(enforce_csrf_checks=True)
    with CaptureQueriesContext(connection) as queries:
        html = visit(second)
    assert len(queries) == 0
    assert "__chph_" not in html
    assert "London" in html
    # The token is this visitor's own: the language form works for them...
    assert switches_language(second, token_of(html))
    # ...and not for someone without their cookie.
    assert not switches_language(Client(enforce_csrf_checks=True), token_of(html))


def test_every_visitor_gets_a_working_token_of_their_own(member):
    pages = {}
    for name in ("a", "b"):
        client = Client(enforce_csrf_checks=True)
        pages[name] = (client, token_of(visit(client)))
    assert pages["a"][1] != pages["b"][1]
    for client, token in pages.values():
        assert switches_language(client, token)


def test_members_always_get_a_fresh_page(member, member_client):
    visit(Client())
    html = visit(member_client)
    assert member.display_name in html
    assert "Log out" in html


def test_each_language_is_cached_apart(member):
    assert 'lang="en"' in visit(Client())
    spanish = Client(headers={"accept-language": "es"})
    assert 'lang="es"' in visit(spanish)
    assert 'lang="en"' in visit(Client())


def test_a_page_with_a_pending_message_is_neither_served_from_nor_put_in_the_cache(
    member, member_client
):
    visit(Client())
    assert member_client.post("/accounts/logout/").status_code == 302
    html = visit(member_client)  # signed out now, with allauth's message to show
    assert "You have signed out." in html
    assert "You have signed out." not in visit(Client())


def test_a_new_description_and_a_new_facilitator_show_at_once(
    member, django_capture_on_commit_callbacks
):
    chapter = member.home_chapter.get_parent()  # London
    assert chapter.url_path == "gb/eng/london"
    visit(Client())
    with django_capture_on_commit_callbacks(execute=True):
        update_chapter(chapter=chapter, description="Meet us at the library.")
    assert "Meet us at the library." in visit(Client())
    newcomer = make_member("Fola Facilitator", city="London")
    with django_capture_on_commit_callbacks(execute=True):
        grant_role(chapter=chapter, member=newcomer, source=ChapterRole.Source.ADMIN)
    assert "Fola Facilitator" in visit(Client())


def test_query_strings_and_missing_chapters_are_not_cached(member):
    visit(Client())
    with CaptureQueriesContext(connection) as queries:
        visit(Client(), PAGE + "?x=1")
    assert len(queries) > 0
    assert Client().get("/c/gb/eng/nowhere/").status_code == 404
    assert Client().get("/c/gb/eng/nowhere/").status_code == 404


def test_turned_off_every_visit_renders(member, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    visit(Client())
    with CaptureQueriesContext(connection) as queries:
        visit(Client())
    assert len(queries) > 0


def test_an_entry_cached_by_an_earlier_release_is_never_read(member):
    """While a release rolls out, old and new workers share the cache: an entry of the
    earlier shape (the whole page as one string, under the earlier key) is left alone,
    not served nor mistaken for this release's entry."""
    earlier = f"page:anonymous:en:{hashlib.sha256(PAGE.encode()).hexdigest()}"
    cache.set(earlier, "<html>an earlier release's page</html>", 30)
    html = visit(Client())
    assert "London" in html and "an earlier release" not in html
    assert pagecache.ENTRY_FORMAT >= 2
    assert cache.get(earlier) == "<html>an earlier release's page</html>"
