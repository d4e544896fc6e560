"""/api/v1/proposals/ and /api/v1/decisions/: every endpoint for anonymous, outsider,
member and facilitator; refusals store nothing; lists cost the same queries at any size."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chapterhouse import voting
from chapterhouse.decisions.models import (
    AffectedGroup,
    Amendment,
    Ballot,
    Participation,
    Proposal,
    SecretBallot,
)
from chapterhouse.decisions.tests.factories import (
    chapter,
    close,
    draft,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.members.tests.factories import token_client_for

pytestmark = pytest.mark.django_db

HACKNEY, LONDON = "gb/eng/london/hackney", "gb/eng/london"
PROPOSALS, DECISIONS = "/api/v1/proposals/", "/api/v1/decisions/"


def token_client(member):
    return token_client_for(member)


@pytest.fixture
def api(member):
    return token_client(member)


@pytest.fixture
def api_facilitator(facilitator):
    return token_client(facilitator)


@pytest.fixture
def api_outsider(outsider):
    return token_client(outsider)


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def nothing_voted():
    return not (Ballot.objects.exists() or SecretBallot.objects.exists()
                or Participation.objects.exists())


# -- Proposals ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["client", "api_outsider", "api", "api_facilitator"])
def test_everyone_lists_published_proposals_and_only_authors_their_drafts(
        request, member, facilitator, outsider, persona):
    in_deliberation(member, title="Public")
    draft(member, title="Private")
    response = request.getfixturevalue(persona).get(PROPOSALS)
    assert response.status_code == 200
    titles = {row["title"] for row in response.json()["results"]}
    assert titles == ({"Public", "Private"} if persona == "api" else {"Public"})


def test_the_list_filters_by_chapter_status_and_category(client, member, neighbour):
    in_deliberation(member, title="Hackney")
    in_voting(neighbour, title="Islington")

    def titles(**params):
        response = client.get(PROPOSALS, params)
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    assert titles(chapter=HACKNEY) == {"Hackney"}
    assert titles(status="voting") == {"Islington"}
    assert titles(category="routine") == {"Hackney", "Islington"}
    assert titles(category="budget") == set()
    assert client.get(PROPOSALS, {"chapter": "nowhere"}).status_code == 400
    assert client.get(PROPOSALS, {"status": "nonsense"}).status_code == 400


def test_the_list_costs_the_same_queries_at_any_size(client, member):
    in_deliberation(member)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PROPOSALS).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(5):
        in_voting(member, title=f"More {n}")
    assert count() == few


def test_a_proposal_in_detail(client, member):
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    proposal = in_voting(member, category="policy", options=["Oaks", "Limes"])
    response = client.get(f"{PROPOSALS}{proposal.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["method"] == "schulze"
    assert [o["key"] for o in body["options"]] == ["o1", "o2"]
    assert body["roll"]["hash"] == proposal.roll.hash
    assert body["affected_groups"][0]["chapter"] == HACKNEY
    assert body["web_url"].endswith(f"/decisions/p/{proposal.public_id}/")


def test_a_draft_is_hidden_from_everyone_but_its_author(client, api, api_facilitator, member):
    proposal = draft(member)
    assert api.get(f"{PROPOSALS}{proposal.public_id}/").status_code == 200
    for other in (client, api_facilitator):
        assert other.get(f"{PROPOSALS}{proposal.public_id}/").status_code == 404


def test_a_member_creates_a_draft_with_options_and_groups(api, member):
    set_rule(chapter(HACKNEY), "policy", method="approval", params={})
    response = post(api, PROPOSALS, {
        "chapter": HACKNEY, "title": "Trees", "text": "Which trees?", "category": "policy",
        "options": ["Oaks", {"label": "Limes", "text": "Small-leaved."}],
        "affected_groups": [{"chapter": HACKNEY, "weight": 2, "reason": "the square"}],
    })
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.author) == ("draft", member)
    assert response.json()["public_id"] == str(proposal.public_id)
    assert list(proposal.options.values_list("label", "text")) == [
        ("Oaks", ""), ("Limes", "Small-leaved.")]
    assert proposal.affected_groups.get().weight == 2.0


@pytest.mark.parametrize(("data", "field"), [
    ({"status": "closed"}, "status"),
    ({"author": "someone"}, "author"),
    ({"title": ""}, "title"),
    ({"category": "nonsense"}, "non_field_errors"),
    ({"options": [{"label": "A", "weight": 3}]}, "options"),
    ({"options": ["A", "B"]}, "non_field_errors"),  # routine is yes/no
    ({"chapter": "nowhere"}, "chapter"),
    ({"affected_groups": [{"chapter": LONDON, "weight": 2, "reason": "all"}]},
     "non_field_errors"),
    ({"affected_groups": [{"chapter": HACKNEY, "weight": 20, "reason": "x"}]},
     "affected_groups"),
])
def test_a_bad_draft_is_a_400_and_nothing_is_stored(api, member, data, field):
    body = {"chapter": HACKNEY, "title": "Trees", "text": "Oaks.", "category": "routine", **data}
    response = post(api, PROPOSALS, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Proposal.objects.exists() and not AffectedGroup.objects.exists()


def test_creating_needs_a_member_of_the_chapter(client, api_outsider, member):
    body = {"chapter": HACKNEY, "title": "Trees", "text": "Oaks.", "category": "routine"}
    assert post(client, PROPOSALS, body).status_code == 401
    response = post(api_outsider, PROPOSALS, body)
    assert response.status_code == 403
    assert "Only members of Hackney" in response.json()["detail"]
    assert not Proposal.objects.exists()


def test_the_author_publishes_a_draft(api, api_facilitator, client, member):
    proposal = draft(member)
    url = f"{PROPOSALS}{proposal.public_id}/publish/"
    assert post(client, url).status_code == 401
    assert post(api_facilitator, url).status_code == 404
    assert post(api, url, {"status": "voting"}).status_code == 400
    response = post(api, url)
    assert response.status_code == 200 and response.json()["status"] == "deliberation"
    response = post(api, url)
    assert response.status_code == 403  # no longer a draft
    assert post(api_facilitator, url).status_code == 403


# -- Amendments ---------------------------------------------------------------------------


def test_amendments_are_listed_proposed_and_accepted(client, api, api_facilitator,
                                                     api_outsider, member, facilitator):
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    proposal = in_deliberation(member, category="policy", options=["Oaks", "Limes"])
    url = f"{PROPOSALS}{proposal.public_id}/amendments/"
    body = {"kind": "alternative", "label": "Birches", "text": "Birches."}
    assert post(client, url, body).status_code == 401
    assert post(api_outsider, url, body).status_code == 403
    assert post(api_facilitator, url, {**body, "status": "accepted"}).status_code == 400
    assert post(api_facilitator, url, {**body, "label": ""}).status_code == 400
    assert not Amendment.objects.exists()
    response = post(api_facilitator, url, body)
    assert response.status_code == 201
    assert response.json()["option_key"] == "a1"
    assert [row["number"] for row in client.get(url).json()] == [1]
    accept = f"{url}1/accept/"
    assert post(api_facilitator, accept).status_code == 403
    response = post(api, accept)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert post(api, f"{url}7/accept/").status_code == 404


# -- Ballots ------------------------------------------------------------------------------


def test_a_member_casts_and_changes_a_ballot(api, member):
    proposal = in_voting(member)
    url = f"{PROPOSALS}{proposal.public_id}/ballot/"
    assert api.get(url).json() == {"on_roll": True, "weight": 1.0, "voted": False,
                                   "secret": False, "ballot": None, "voting_open": True}
    response = post(api, url, {"ballot": {"choice": "yes"}})
    assert response.status_code == 201
    assert response.json() == {"ballot": {"choice": "yes"}, "weight": 1.0, "changed": False,
                               "secret": False, "receipt": None}
    response = post(api, url, {"ballot": {"choice": "no"}})
    assert response.status_code == 200 and response.json()["changed"] is True
    assert api.get(url).json()["ballot"] == {"choice": "no"}


@pytest.mark.parametrize(("body", "message"), [
    ({"ballot": {"choice": "yes"}, "weight": 5}, "weight"),
    ({"ballot": {"choice": "yes", "weight": 5}}, "Unexpected field"),
    ({"ballot": {"choice": "maybe"}}, "This ballot is not valid"),
    ({"ballot": "yes"}, "ballot"),
    ({}, "ballot"),
])
def test_a_malformed_ballot_is_a_400_and_nothing_is_stored(api, member, body, message):
    proposal = in_voting(member)
    response = post(api, f"{PROPOSALS}{proposal.public_id}/ballot/", body)
    assert response.status_code == 400
    assert message in json.dumps(response.json())
    assert nothing_voted()


def test_voting_outside_the_roll_or_window_is_refused(client, api, api_outsider, member):
    proposal = in_voting(member)
    url = f"{PROPOSALS}{proposal.public_id}/ballot/"
    assert post(client, url, {"ballot": {"choice": "yes"}}).status_code == 401
    response = post(api_outsider, url, {"ballot": {"choice": "yes"}})
    assert response.status_code == 403
    assert "You are not on the roll" in response.json()["detail"]
    early = in_deliberation(member)
    response = post(api, f"{PROPOSALS}{early.public_id}/ballot/", {"ballot": {"choice": "yes"}})
    assert response.status_code == 400
    assert "has not opened yet" in json.dumps(response.json())
    close(proposal)
    response = post(api, url, {"ballot": {"choice": "yes"}})
    assert response.status_code == 400
    assert "has closed" in json.dumps(response.json())
    assert nothing_voted()


def test_a_secret_ballot_returns_its_receipt_once(api, member):
    set_rule(chapter(HACKNEY), "routine", secret=True)
    proposal = in_voting(member)
    url = f"{PROPOSALS}{proposal.public_id}/ballot/"
    receipt = post(api, url, {"ballot": {"choice": "yes"}}).json()["receipt"]
    assert receipt
    assert api.get(url).json()["ballot"] is None
    response = post(api, url, {"ballot": {"choice": "no"}})
    assert response.status_code == 400
    response = post(api, url, {"ballot": {"choice": "no"}, "receipt": receipt})
    assert response.status_code == 200 and response.json()["receipt"] is None


# -- Decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["client", "api_outsider", "api", "api_facilitator"])
def test_everyone_reads_the_decisions(request, member, facilitator, outsider, persona):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    decision = close(proposal)
    client = request.getfixturevalue(persona)
    rows = client.get(DECISIONS).json()["results"]
    assert [row["record_hash"] for row in rows] == [decision.record_hash]
    detail = client.get(f"{DECISIONS}{proposal.public_id}/").json()
    assert detail["result"]["outcome"] == "passed"
    assert detail == client.get(f"{DECISIONS}{decision.sequence}/").json()
    file = client.get(f"{DECISIONS}{proposal.public_id}/ballots/")
    assert file.status_code == 200
    data = voting.loads_ballot_file(file.content.decode())
    assert voting.recount(data).to_dict() == data.result


def test_the_decisions_filter(client, member, neighbour):
    for author in (member, neighbour):
        proposal = in_voting(author)
        vote(proposal, author, {"choice": "no"})
        close(proposal)

    def scopes(**params):
        response = client.get(DECISIONS, params)
        assert response.status_code == 200, response.content
        return sorted(row["scope_path"] for row in response.json()["results"])

    assert scopes(chapter=HACKNEY) == [HACKNEY]
    assert scopes(chapter=LONDON) == []
    assert len(scopes(chapter=LONDON, subchapters="true")) == 2
    assert len(scopes(outcome="rejected")) == 2
    assert scopes(outcome="passed") == []
    assert scopes(since="2999-01-01") == []
    assert client.get(DECISIONS, {"since": "soon"}).status_code == 400
    assert client.get(DECISIONS, {"outcome": "won"}).status_code == 400


def test_the_decision_list_costs_the_same_queries_at_any_size(client, member):
    def decide():
        proposal = in_voting(member)
        vote(proposal, member, {"choice": "yes"})
        close(proposal)

    decide()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(DECISIONS).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _n in range(4):
        decide()
    assert count() == few


def test_unknown_decisions_are_404(client, member):
    proposal = in_voting(member)
    assert client.get(f"{DECISIONS}{proposal.public_id}/").status_code == 404
    assert client.get(f"{DECISIONS}{proposal.public_id}/ballots/").status_code == 404
    assert client.get(f"{DECISIONS}7/").status_code == 404
