"""The journey of issue #3 in a real Chromium: from a proposal to a recorded decision.

A member proposes a choice between options under a ranked (Schulze) rule; another
member's amendment becomes a competing option; voting opens (the service, with its
clock set); three members rank the options in their browsers, one with the
move-up/down buttons; voting closes; the decision record shows the outcome, the
pairwise table and the bar chart, and a member who voted otherwise adds a dissent.
Every page ends with no console errors (CSP violations included).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chapterhouse.decisions import services
from chapterhouse.decisions.models import Amendment, Ballot, Decision, Dissent, Proposal
from chapterhouse.decisions.tests.factories import chapter, set_rule
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.tests.browser.conftest import log_in

from .conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

HACKNEY = "gb/eng/london/hackney"


@pytest.fixture
def people(db) -> dict[str, Member]:
    members = {
        name: make_member(f"{name.capitalize()} Hackney", city="London", neighbourhood="Hackney",
                          email=f"{name}@example.org")
        for name in ("ada", "ben", "cal")
    }
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    return members


@pytest.fixture
def another(browser, live_server) -> Iterator:
    """Pages in their own browser contexts (other members), each checked for errors."""
    opened = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.csp_errors = errors
        opened.append((context, page))
        return page

    yield open_page
    for context, page in opened:
        assert page.csp_errors == []
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"decisions-{name}.png"), full_page=True)


def rank(page, ranks: dict[str, int]) -> None:
    for key, value in ranks.items():
        page.select_option(f"select[name=rank_{key}]", str(value))


def cast(page) -> None:
    with page.expect_response(lambda r: "/vote/" in r.url and r.request.method == "POST"):
        page.get_by_role("button", name="Cast my vote").click()
    page.locator("#ballot .voted").wait_for()


def test_a_ranked_choice_from_proposal_to_recorded_decision(page, another, people):
    ada, ben, cal = people["ada"], people["ben"], people["cal"]

    # 1. Ada proposes a choice between three options and publishes it.
    log_in(page, "ada@example.org")
    page.goto(f"/decisions/c/{HACKNEY}/")
    page.get_by_role("link", name="New proposal").click()
    page.wait_for_url("**/decisions/new/**")
    assert page.locator("[data-options]").is_hidden()  # routine is a yes/no vote
    page.fill("#id_title", "Trees for the square")
    page.fill("#id_text", "Which trees do we plant on **the square**?")
    page.select_option("#id_category", "policy")
    assert page.locator("[data-options]").is_visible()
    page.fill("#id_option_1", "Oaks")
    page.fill("#id_option_2", "Limes")
    page.get_by_role("button", name="Add an option").click()  # six inputs are there anyway
    page.fill("#id_option_3", "Elms")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url("**/decisions/p/**")
    assert page.locator(".stage-badge").inner_text() == "In deliberation"
    assert page.locator("ol.options li").all_inner_texts() == ["Oaks", "Limes", "Elms"]
    proposal = Proposal.objects.get()
    assert proposal.author == ada and proposal.status == "deliberation"
    url = proposal.get_absolute_url()
    assert page.csp_errors == []

    # 2. Ben proposes an alternative, and says why in the deliberation.
    bens = another()
    log_in(bens, "ben@example.org")
    bens.goto(url)
    bens.get_by_role("link", name="Propose an amendment").click()
    bens.get_by_label("is an alternative option on the ballot").check()
    bens.fill("#id_label", "Birches")
    bens.fill("#id_text", "Plant birches: they grow fast and give light shade.")
    bens.get_by_role("button", name="Propose the amendment").click()
    bens.wait_for_url(f"**{url}#amendments")
    amendment = bens.locator("#amendment-1")
    assert "Open" in amendment.inner_text()
    assert "On the ballot as “Birches”" in amendment.inner_text()
    bens.fill("#deliberation textarea[name=body]", "Birches need less water than oaks.")
    bens.locator("#deliberation").get_by_role("button", name="Post").click()
    bens.locator("#deliberation .post", has_text="Birches need less water").wait_for()
    shot(bens, "proposal-in-deliberation")
    assert Amendment.objects.get().status == "open"  # Ada does not accept it

    # 3. Voting opens when due: the amendment stands as a competing option.
    proposal.refresh_from_db()
    services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    assert Amendment.objects.get().status == "competing"

    # 4. Three members rank the options (o1 Oaks, o2 Limes, o3 Elms, a1 Birches).
    page.goto(url)
    assert page.locator(".stage-badge").inner_text() == "Voting"
    labels = page.locator("table.ranking tbody th").all_inner_texts()
    assert labels == ["Oaks", "Limes", "Elms", "Birches"]
    rank(page, {"o1": 1, "a1": 2, "o2": 3})
    shot(page, "ballot-form")
    cast(page)
    assert "You voted: 1. Oaks, 2. Birches, 3. Limes" in page.locator("#ballot").inner_text()
    assert page.csp_errors == []

    bens.goto(url)
    rank(bens, {"a1": 1, "o1": 2})
    cast(bens)

    cals = another()
    log_in(cals, "cal@example.org")
    cals.goto(url)
    # Cal orders with the buttons: Birches to the top (first), then Limes under it.
    birches = cals.locator("table.ranking tbody tr", has_text="Birches")
    for _step in range(3):
        birches.get_by_role("button", name="Move up: Birches").click()
    limes = cals.locator("table.ranking tbody tr", has_text="Limes")
    limes.get_by_role("button", name="Move up: Limes").click()  # above Oaks
    assert cals.locator("table.ranking tbody th").all_inner_texts()[:2] == ["Birches", "Limes"]
    assert cals.input_value("select[name=rank_a1]") == "1"
    assert cals.input_value("select[name=rank_o2]") == "2"
    cals.select_option("select[name=rank_o1]", "3")
    cals.select_option("select[name=rank_o3]", "")
    cast(cals)
    shot(cals, "ballot-cast")
    assert dict(Ballot.objects.values_list("member__user__email", "ballot")) == {
        "ada@example.org": {"ranking": ["o1", "a1", "o2"]},
        "ben@example.org": {"ranking": ["a1", "o1"]},
        "cal@example.org": {"ranking": ["a1", "o2", "o1"]},
    }

    # 5. Voting closes when due; the record shows the outcome and the count.
    proposal.refresh_from_db()
    decision = services.close_voting(proposal=proposal, now=proposal.voting_closes_at)
    assert decision.winners == ["a1"]
    page.goto(url)
    record = page.locator("#record")
    assert "Decision record #1" in record.inner_text()
    assert record.locator(".outcome-line").inner_text().startswith("elected")
    assert "Birches" in record.locator(".outcome-line").inner_text()
    matrix = record.locator("table.pairwise")
    assert matrix.locator("thead th").all_inner_texts()[1:] == [
        "Oaks", "Limes", "Elms", "Birches"]
    birches_row = matrix.locator("tbody tr", has_text="Birches").locator("td")
    assert birches_row.all_inner_texts() == ["2", "3", "3", "—"]
    assert record.locator("table.bars tr.winner th").inner_text().startswith("Birches")
    assert record.locator(".bar").count() == 4
    assert decision.record_hash in record.inner_text()

    # 6. Ada ranked Oaks first: she may add a dissent to the record.
    page.goto(f"/decisions/d/{proposal.public_id}/")
    page.fill("#id_text", "Oaks live for centuries; birches for decades. We chose short.")
    page.get_by_role("button", name="Publish my dissent").click()
    page.wait_for_url("**#dissent")
    assert "Oaks live for centuries" in page.locator("ul.dissents").inner_text()
    assert Dissent.objects.get().member == ada
    # Ben voted for the winner: no dissent form for him.
    bens.goto(f"/decisions/d/{proposal.public_id}/")
    assert bens.get_by_role("button", name="Publish my dissent").count() == 0
    shot(page, "decision-record")
    assert Decision.objects.count() == 1
    assert page.csp_errors == []
    assert {ben.pk, cal.pk} <= set(Ballot.objects.values_list("member_id", flat=True))
