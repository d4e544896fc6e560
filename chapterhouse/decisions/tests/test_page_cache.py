"""A proposal's page and its chapter's proposals come to signed-out visitors from the
page cache (lib/pagecache), and what happens to a proposal shows to them at once."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.tests.factories import draft, in_deliberation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def board_of(proposal):
    return reverse("decisions:chapter", kwargs={"url_path": proposal.chapter.url_path})


def read(client, url):
    """The page, its CSRF token aside (each response masks it anew)."""
    response = client.get(url)
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode())


@pytest.mark.parametrize("page", ["proposal", "board"])
def test_a_second_anonymous_visit_runs_no_query_and_members_get_their_own(
        page, member, member_client):
    proposal = in_deliberation(member, title="Plant trees")
    url = proposal.get_absolute_url() if page == "proposal" else board_of(proposal)
    read(Client(), url)  # rendered and cached
    with CaptureQueriesContext(connection) as queries:
        html = read(Client(), url)
    assert len(queries) == 0
    assert "Plant trees" in html and "__chph_" not in html
    assert 'href="/accounts/login/' in html
    # A member's page is rendered for them (their menu, no "Log in").
    mine = read(member_client, url)
    assert 'href="/accounts/login/' not in mine and "Plant trees" in mine


def test_what_happens_to_a_proposal_shows_at_once_to_signed_out_visitors(
        member, django_capture_on_commit_callbacks):
    proposal = draft(member, title="Plant trees")
    rule = selectors.effective_rule(proposal.chapter, proposal.category)
    assert rule is not None
    start = timezone.now() - timedelta(days=rule.deliberation_days, minutes=1)
    proposal = services.publish(proposal=proposal, actor=member, now=start)
    url, board, visitor = proposal.get_absolute_url(), board_of(proposal), Client()
    before, board_before = read(visitor, url), read(visitor, board)
    assert read(visitor, url) == before  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    after = read(visitor, url)
    assert after != before and "Voting" in after
    # A proposal published in the chapter shows on its board at once.
    with django_capture_on_commit_callbacks(execute=True):
        in_deliberation(member, title="Paint the bench")
    assert "Paint the bench" not in board_before
    assert "Paint the bench" in read(visitor, board)
