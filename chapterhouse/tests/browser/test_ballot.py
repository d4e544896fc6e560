"""The ballot in a real Chromium (issue #13, items 4 and 5): a ranked ballot casts the
ranking shown on the screen, and a refused ballot says why next to the ballot, with
JavaScript and without."""

from __future__ import annotations

import pytest

from chapterhouse.decisions.models import Ballot, Proposal
from chapterhouse.decisions.tests.factories import chapter, in_voting, set_rule
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "gb/eng/london/hackney"


@pytest.fixture
def ada(db) -> Member:
    return make_member("Ada Hackney", city="London", neighbourhood="Hackney",
                       email="ada@example.org")


def ranked_vote(author: Member, *, secret: bool = False) -> Proposal:
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={}, secret=secret)
    return in_voting(author, category="policy", title="Trees for the square",
                     options=[{"label": "Oaks"}, {"label": "Limes"}, {"label": "Elms"}])


def screen_ranking(page) -> list[str]:
    """The options in the order shown, those given a rank, as the member sees them."""
    rows = page.locator("table.ranking tbody tr")
    shown = []
    for i in range(rows.count()):
        row = rows.nth(i)
        if row.locator("select").input_value():
            shown.append(row.locator("th").inner_text().strip())
    return shown


def test_the_ranking_cast_is_the_ranking_shown(page, ada):
    proposal = ranked_vote(ada)
    log_in(page, "ada@example.org")
    page.goto(f"/decisions/p/{proposal.public_id}/vote/")
    assert page.locator("table.ranking tbody th").all_inner_texts() == ["Oaks", "Limes", "Elms"]
    # Oaks down below Limes: Limes is now shown first, so it is ranked first.
    page.get_by_role("button", name="Move down: Oaks").click()
    assert page.locator("table.ranking tbody th").all_inner_texts() == ["Limes", "Oaks", "Elms"]
    assert screen_ranking(page) == ["Limes", "Oaks"]
    # A rank chosen in a select moves the row to its place.
    page.select_option("select[name=rank_o1]", "")
    assert page.locator("table.ranking tbody th").all_inner_texts() == ["Limes", "Oaks", "Elms"]
    assert screen_ranking(page) == ["Limes"]
    page.get_by_role("button", name="Move up: Oaks").click()
    assert page.locator("table.ranking tbody th").all_inner_texts() == ["Oaks", "Limes", "Elms"]
    shown = screen_ranking(page)
    assert shown == ["Oaks", "Limes"]
    with page.expect_response(lambda r: "/vote/" in r.url and r.request.method == "POST"):
        page.get_by_role("button", name="Cast my vote").click()
    page.locator("#ballot .voted").wait_for()
    labels = {"o1": "Oaks", "o2": "Limes", "o3": "Elms"}
    row = Ballot.objects.get()
    stored = row.ballot["ranking"]
    assert [labels[k] for k in stored] == shown
    # The codes the close counts (voting.codes) say the same order.
    assert row.codes is not None
    assert [list(labels.values())[i] for i in bytes(row.codes)] == shown
    assert ", ".join(f"{i}. {name}" for i, name in enumerate(shown, 1)) in \
        page.locator("#ballot").inner_text()
    assert page.csp_errors == []


@pytest.mark.parametrize("javascript", [True, False])
def test_a_refused_ballot_says_why_next_to_the_ballot(browser, live_server, ada, javascript):
    proposal = ranked_vote(ada, secret=True)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, "ada@example.org")
        page.goto(f"/decisions/p/{proposal.public_id}/")
        page.select_option("select[name=rank_o1]", "1")
        page.select_option("select[name=rank_o2]", "1")
        page.get_by_role("button", name="Cast my vote").click()
        page.locator("#ballot [role=alert]", has_text="all have rank 1").wait_for()
        page.select_option("select[name=rank_o2]", "2")
        page.get_by_role("button", name="Cast my vote").click()
        page.locator("#ballot [data-receipt]").wait_for()
        page.goto(f"/decisions/p/{proposal.public_id}/")
        page.select_option("select[name=rank_o3]", "1")
        page.fill("input[name=receipt]", "AAAA-BBBB-CCCC-DDDD")
        page.get_by_role("button", name="Change my vote").click()
        page.locator("#ballot", has_text="No ballot in this vote matches that receipt code."
                     ).wait_for()
    finally:
        context.close()
