"""Voting on the web: the ballot form of every method, changing a vote, secret ballots
and their receipts, refusals that store nothing, and dissent on the record."""

import re

import pytest

from chapterhouse.conftest import client_for
from chapterhouse.decisions import selectors
from chapterhouse.decisions.models import Ballot, Dissent, Participation, SecretBallot
from chapterhouse.decisions.tests.factories import (
    chapter,
    close,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"


def url(proposal, action="vote/"):
    return f"/decisions/p/{proposal.public_id}/{action}"


def ballot_of(member):
    return Ballot.objects.filter(member=member).values_list("ballot", flat=True).first()


def nothing_stored():
    return not (Ballot.objects.exists() or SecretBallot.objects.exists()
                or Participation.objects.exists())


def test_a_member_on_the_roll_votes_yes_and_changes_to_no(member_client, member):
    proposal = in_voting(member)
    page = member_client.get(url(proposal, "")).content.decode()
    assert 'name="choice"' in page and "Cast my vote" in page
    assert "You vote with a weight of <strong>1</strong>" in page
    response = member_client.post(url(proposal), {"choice": "yes"})
    assert response.status_code == 302 and response["Location"].endswith("#ballot")
    assert ballot_of(member) == {"choice": "yes"}
    page = member_client.get(url(proposal, "")).content.decode()
    assert "You voted: <strong>Yes</strong>" in page and "Change my vote" in page
    member_client.post(url(proposal), {"choice": "no"})
    assert ballot_of(member) == {"choice": "no"}
    assert Ballot.objects.count() == 1


def test_the_ballot_page_works_on_its_own(member_client, member):
    proposal = in_voting(member)
    response = member_client.get(url(proposal))
    assert response.status_code == 200
    assert 'name="choice"' in response.content.decode()


def test_htmx_swaps_the_ballot_panel(member_client, member):
    proposal = in_voting(member)
    response = member_client.post(url(proposal), {"choice": "yes"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section class="card ballot" id="ballot"')
    assert "Your ballot is cast." in html and "You voted: <strong>Yes</strong>" in html
    response = member_client.post(url(proposal), {}, HTTP_HX_REQUEST="true")
    # A refusal is a 200 for htmx (which swaps only 2xx by default), the panel with it.
    assert response.status_code == 200
    assert "Choose how you vote." in response.content.decode()


@pytest.mark.parametrize(("method", "params", "form", "expected"), [
    ("consent", {}, {"choice": "block", "reason": "Too costly"},
     {"choice": "block", "reason": "Too costly"}),
    ("consensus", {}, {"choice": "agree", "reason": ""}, {"choice": "agree"}),
    ("plurality", {}, {"option": "o2"}, {"option": "o2"}),
    ("plurality", {}, {"option": "__blank__"}, {}),
    ("approval", {}, {"approve": ["o1", "o3"]}, {"approve": ["o1", "o3"]}),
    ("score", {}, {"score_o1": "5", "score_o2": "", "score_o3": "0"},
     {"scores": {"o1": 5, "o3": 0}}),
    ("schulze", {}, {"rank_o1": "2", "rank_o2": "", "rank_o3": "1"},
     {"ranking": ["o3", "o1"]}),
    ("irv", {}, {"rank_o1": "3", "rank_o2": "1", "rank_o3": "2"},
     {"ranking": ["o2", "o3", "o1"]}),
])
def test_every_method_has_its_ballot(member_client, member, method, params, form, expected):
    set_rule(chapter(HACKNEY), "policy", method=method, params=params)
    options = [] if method in ("consent", "consensus") else ["Oaks", "Limes", "Elms"]
    proposal = in_voting(member, category="policy", options=options)
    page = member_client.get(url(proposal, "")).content.decode()
    assert "Cast my vote" in page
    response = member_client.post(url(proposal), form)
    assert response.status_code == 302, response.content.decode()
    assert ballot_of(member) == expected


@pytest.mark.parametrize(("method", "form", "message"), [
    ("consent", {"choice": "block", "reason": " "}, "Give a reason for “Block”"),
    ("schulze", {"rank_o1": "1", "rank_o2": "1"}, "Oaks, Limes all have rank 1"),
    ("score", {"score_o1": "6"}, "Select a valid choice."),
    ("plurality", {"option": "o9"}, "Select a valid choice."),
    ("approval", {"approve": ["o1", "o2", "o3"]}, "This ballot is not valid"),
])
def test_a_malformed_ballot_is_refused_and_nothing_stored(member_client, member, method, form,
                                                          message):
    params = {"max_choices": 2} if method == "approval" else {}
    set_rule(chapter(HACKNEY), "policy", method=method, params=params)
    options = [] if method == "consent" else ["Oaks", "Limes", "Elms"]
    proposal = in_voting(member, category="policy", options=options)
    response = member_client.post(url(proposal), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_stored()


def test_members_off_the_roll_may_not_vote(outsider_client, neighbour_client, client, member):
    proposal = in_voting(member)
    for other in (outsider_client, neighbour_client):
        assert other.post(url(proposal), {"choice": "yes"}).status_code == 403
        page = other.get(url(proposal, "")).content.decode()
        assert "You are not on the roll of this vote." in page
    response = client.post(url(proposal), {"choice": "yes"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "Log in</a> to vote" in client.get(url(proposal, "")).content.decode()
    assert nothing_stored()


def test_a_member_who_joined_after_the_roll_froze_may_not_vote(member):
    proposal = in_voting(member)
    newcomer = make_member("Nell Newcomer", city="London", neighbourhood="Hackney")
    assert client_for(newcomer).post(url(proposal), {"choice": "yes"}).status_code == 403
    assert nothing_stored()


def test_no_vote_before_opening_or_after_closing(member_client, member):
    proposal = in_deliberation(member)
    response = member_client.post(url(proposal), {"choice": "yes"}, follow=True)
    assert "Voting on this proposal has not opened yet." in response.content.decode()
    voting = in_voting(member, title="Closed")
    close(voting)
    response = member_client.post(url(voting), {"choice": "yes"}, follow=True)
    assert "Voting on this proposal has closed." in response.content.decode()
    assert nothing_stored()


def test_a_secret_ballot_shows_its_receipt_once(member_client, member):
    set_rule(chapter(HACKNEY), "routine", secret=True)
    proposal = in_voting(member)
    response = member_client.post(url(proposal), {"choice": "yes"})
    assert response.status_code == 200  # shown in the answer, never redirected to
    html = response.content.decode()
    found = re.search(r"<code data-receipt[^>]*>([^<]+)</code>", html)
    assert found is not None
    receipt = found.group(1)
    assert selectors.receipt_hash(receipt) in html
    assert (selectors.find_secret_ballot(proposal, receipt) or {})["ballot"] == {"choice": "yes"}
    again = member_client.get(url(proposal, "")).content.decode()
    assert receipt not in again
    assert "You have voted." in again and 'name="receipt"' in again
    # Changing it needs the receipt.
    response = member_client.post(url(proposal), {"choice": "no"})
    assert response.status_code == 400
    assert "Give your receipt code to change your ballot." in response.content.decode()
    response = member_client.post(url(proposal), {"choice": "no", "receipt": "wrong"})
    assert "No ballot in this vote matches that receipt code." in response.content.decode()
    response = member_client.post(url(proposal), {"choice": "no", "receipt": receipt})
    assert response.status_code == 302
    assert (selectors.find_secret_ballot(proposal, receipt) or {})["ballot"] == {"choice": "no"}
    assert SecretBallot.objects.count() == 1 and not Ballot.objects.exists()


def test_the_record_finds_a_secret_ballot_by_its_receipt(member_client, client, member):
    set_rule(chapter(HACKNEY), "routine", secret=True)
    proposal = in_voting(member)
    receipt = vote(proposal, member, {"choice": "yes"}).receipt
    close(proposal)
    record = f"/decisions/d/{proposal.public_id}/"
    assert "Find my ballot" in client.get(record).content.decode()
    response = client.post(f"{record}receipt/", {"receipt": receipt})
    assert response.status_code == 200
    assert "Your ballot: <strong>Yes</strong>" in response.content.decode()
    response = client.post(f"{record}receipt/", {"receipt": "nope"})
    assert response.status_code == 400
    assert "No ballot in this vote matches that receipt code." in response.content.decode()
    assert client.get(f"{record}receipt/").status_code == 405


# -- Dissent --------------------------------------------------------------------------------


def test_a_member_who_voted_against_adds_a_dissent(member_client, facilitator_client,
                                                   neighbour_client, member, facilitator):
    ned = make_member("Ned Nay", city="London", neighbourhood="Hackney")
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, ned, {"choice": "yes"})
    vote(proposal, facilitator, {"choice": "no"})
    assert close(proposal).outcome == "passed"
    record = f"/decisions/d/{proposal.public_id}/"
    assert "Publish my dissent" in facilitator_client.get(record).content.decode()
    assert "Publish my dissent" not in member_client.get(record).content.decode()
    response = facilitator_client.post(f"{record}dissent/", {"text": ""})
    assert response.status_code == 400
    assert "Write your dissent." in response.content.decode()
    assert not Dissent.objects.exists()
    response = facilitator_client.post(f"{record}dissent/", {"text": "The square needs *shade*."})
    assert response.status_code == 302 and response["Location"].endswith("#dissent")
    html = member_client.get(record).content.decode()
    assert "The square needs <em>shade</em>." in html
    for other in (member_client, neighbour_client):
        assert other.post(f"{record}dissent/", {"text": "No."}).status_code == 403
    assert Dissent.objects.count() == 1


def test_every_refusal_shows_next_to_the_ballot_with_and_without_htmx(member_client, member):
    """Two options ranked 1, a wrong receipt, voting closed: a plain post answers 400
    (or the proposal page) with the message; htmx gets the panel with it as a 200, which
    htmx swaps in (it swaps no 4xx by default)."""
    set_rule(chapter(HACKNEY), "routine", secret=True, method="schulze", params={})
    proposal = in_voting(member, options=[{"label": "Oaks"}, {"label": "Limes"}])
    twice = {"rank_o1": "1", "rank_o2": "1"}
    plain = member_client.post(url(proposal), twice)
    htmx = member_client.post(url(proposal), twice, HTTP_HX_REQUEST="true")
    assert plain.status_code == 400 and htmx.status_code == 200
    for response in (plain, htmx):
        assert "all have rank 1" in response.content.decode()
    assert htmx.content.decode().startswith('<section class="card ballot" id="ballot"')
    assert member_client.post(url(proposal), {"rank_o1": "1"}).status_code == 200  # cast
    wrong = {"rank_o2": "1", "receipt": "AAAA-BBBB-CCCC-DDDD"}
    plain = member_client.post(url(proposal), wrong)
    htmx = member_client.post(url(proposal), wrong, HTTP_HX_REQUEST="true")
    assert plain.status_code == 400 and htmx.status_code == 200
    for response in (plain, htmx):
        assert "No ballot in this vote matches that receipt code." in response.content.decode()
    close(proposal)
    htmx = member_client.post(url(proposal), {"rank_o1": "1"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200
    assert "Voting on this proposal has closed." in htmx.content.decode()
    assert 'role="alert"' in htmx.content.decode()
