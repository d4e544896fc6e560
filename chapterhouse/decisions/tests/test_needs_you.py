"""The home page's "in deliberation in your chapters" list (selectors.needs_you): the
first ten of the member's chapters by when voting opens, whichever chapter holds them
(on PostgreSQL read as the first ten of each chapter, then the first of those)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chapterhouse.decisions import services
from chapterhouse.decisions.models import Proposal
from chapterhouse.decisions.selectors.home import HOME_LIMIT, needs_you
from chapterhouse.decisions.tests.factories import chapter, draft
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


def _published(author, where, title, days_ago):
    proposal = draft(author, chapter=where, title=title)
    return services.publish(proposal=proposal, actor=author,
                            now=timezone.now() - timedelta(days=days_ago, minutes=1))


def test_the_first_ten_of_all_the_members_chapters_by_when_voting_opens(member):
    author = make_member("Ann Author", city="London", neighbourhood="Hackney")
    neighbour = make_member("Cam Camden", city="London", neighbourhood="Camden")
    london, hackney, england = (chapter("gb/eng/london"), chapter("gb/eng/london/hackney"),
                                chapter("gb/eng"))
    # Fifteen in London (more than one chapter's ten), four in Hackney opening sooner
    # than most of London's, two in England opening last, and Camden's (not the
    # member's) opening soonest of all.
    for i in range(15):
        _published(author, london, f"London {i}", days_ago=i % 5)
    for i in range(4):
        _published(author, hackney, f"Hackney {i}", days_ago=3 + i)
    for i in range(2):
        _published(author, england, f"England {i}", days_ago=0)
    _published(neighbour, neighbour.home_chapter, "Camden", days_ago=6)
    expected = list(Proposal.objects.filter(
        status=Proposal.Status.DELIBERATION,
        chapter__path__in=member.home_chapter.ancestor_paths())
                    .order_by("voting_opens_at", "pk")[:HOME_LIMIT])

    shown = needs_you(member).deliberating

    assert [p.title for p in shown] == [p.title for p in expected]
    assert len(shown) == HOME_LIMIT
    assert {p.chapter.url_path for p in shown} >= {"gb/eng/london/hackney", "gb/eng/london"}
    assert "Camden" not in [p.title for p in shown]
    # The chapter comes with each proposal (no query to show its name).
    with CaptureQueriesContext(connection) as captured:
        [p.chapter.display_name() for p in shown]
    assert len(captured) == 0


def test_a_member_whose_chapters_have_none_sees_none(member):
    other = make_member("Lou Lyon", city="Lyon")
    _published(other, other.home_chapter, "Un marché", days_ago=1)
    assert needs_you(member).deliberating == []
