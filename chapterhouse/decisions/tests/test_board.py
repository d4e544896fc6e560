"""The chapter's board of proposals by stage (presenters.board): each stage's first ten
in the stage's own order, whether there are more, in one query on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse.chapters.models import Chapter
from chapterhouse.decisions.presenters import STAGES, stage_queryset
from chapterhouse.decisions.presenters.board import board
from chapterhouse.decisions.tests.factories import draft, in_deliberation, in_voting

pytestmark = pytest.mark.django_db


def stage_by_stage(chapter, viewer, limit=10):
    """What the board shows, a query a stage (stage_queryset, the list of one stage)."""
    shown = []
    for status, _label in STAGES:
        if status == "closed" or (status == "draft" and viewer is None):
            continue
        rows = list(stage_queryset(chapter, viewer, status)[: limit + 1])
        shown.append((status, [p.pk for p in rows[:limit]], len(rows) > limit))
    return shown


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_board_shows_each_stages_first_in_its_order_in_one_query(member, signed_in):
    for n in range(12):
        in_deliberation(member, title=f"Idea {n}")
    in_voting(member, title="On the ballot")
    for n in range(3):
        draft(member, title=f"Draft {n}")
    chapter = Chapter.objects.get(pk=member.home_chapter_id)
    viewer = member if signed_in else None
    with CaptureQueriesContext(connection) as queries:
        stages = board(chapter, viewer)
    assert [(s.status, [p.pk for p in s.proposals], s.more) for s in stages] == \
        stage_by_stage(chapter, viewer)
    deliberation = next(s for s in stages if s.status == "deliberation")
    assert len(deliberation.proposals) == 10 and deliberation.more
    assert [s.status for s in stages if s.status == "draft"] == (["draft"] if signed_in else [])
    one_query = connection.features.supports_slicing_ordering_in_compound
    assert len(queries) == (1 if one_query else len(stages))
    for stage in stages:  # what a row shows is loaded: no query more
        with CaptureQueriesContext(connection) as more:
            [(p.title, p.author.display_name if p.author else "", p.is_secret)
             for p in stage.proposals]
        assert len(more) == 0
