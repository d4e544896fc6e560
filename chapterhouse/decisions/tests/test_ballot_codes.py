"""Ballots are stored with their codes (Ballot.codes, voting.codes) and the close counts
from them: the same record as a count of the JSON, and from the JSON where codes lack."""

import importlib
import itertools
import random
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction

from chapterhouse import voting
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import Ballot, SecretBallot
from chapterhouse.decisions.services import closing
from chapterhouse.decisions.tests.factories import chapter, close, in_voting, set_rule, vote
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"
OPTIONS = ["Oaks", "Limes", "Elms", "Ashes"]
_VOTES = itertools.count()
CODED = ["schulze", "irv", "approval", "plurality", "majority", "supermajority"]


def _vote_on(method: str, *, secret: bool = False, voters: int = 8) -> Any:
    tag = f"{method} {next(_VOTES)}"
    author = make_member(f"Author {tag}", city="London", neighbourhood="Hackney")
    people = [make_member(f"Voter {i} {tag}", city="London", neighbourhood="Hackney")
              for i in range(voters)]
    set_rule(chapter(HACKNEY), "policy", method=method, secret=secret, params={})
    yes_no = method in ("majority", "supermajority")
    proposal = in_voting(author, category="policy", options=[] if yes_no else OPTIONS)
    keys = options_of(proposal)
    rng = random.Random(f"{method}{secret}")
    for voter in people:
        if rng.random() < 0.2:
            ballot: dict[str, Any] = {}
        elif method in ("schulze", "irv"):
            ballot = {"ranking": rng.sample(keys, rng.randint(1, len(keys)))}
        elif method == "approval":
            ballot = {"approve": rng.sample(keys, rng.randint(1, len(keys)))}
        elif method == "plurality":
            ballot = {"option": rng.choice(keys)}
        else:
            ballot = {"choice": rng.choice(["yes", "no", "abstain"])}
        vote(proposal, voter, ballot)
    proposal.refresh_from_db()
    return proposal


def options_of(proposal: Any) -> list[str]:
    return list((proposal.rule_snapshot or {})["options"])


def raw(codes: bytes | memoryview | None) -> bytes:
    assert codes is not None, "stored without codes"
    return bytes(codes)


def _model(proposal: Any) -> Any:
    return SecretBallot if proposal.is_secret else Ballot


def _json_count(proposal: Any) -> dict[str, Any]:
    snapshot = proposal.rule_snapshot
    return voting.count(
        method=snapshot["method"], options=snapshot["options"], params=snapshot["params"],
        ballots=[(w, b) for _r, w, b, _g in selectors.ballot_rows(proposal)],
        eligible_weight=proposal.roll.total_weight).to_dict()


def _closed_and_rolled_back(proposal: Any) -> tuple[Any, Any]:
    with transaction.atomic():
        decision = close(proposal)
        found = (decision.result, decision.breakdown)
        transaction.set_rollback(True)
    return found


@pytest.mark.parametrize("secret", [False, True])
@pytest.mark.parametrize("method", CODED)
def test_every_ballot_is_stored_with_the_codes_of_its_json(method, secret):
    proposal = _vote_on(method, secret=secret)
    snapshot = proposal.rule_snapshot
    rows = list(_model(proposal).objects.filter(proposal=proposal).values_list("ballot", "codes"))
    assert rows
    for ballot, codes in rows:
        assert raw(codes) == voting.ballot_codes(method, snapshot["options"], ballot)


@pytest.mark.parametrize("secret", [False, True])
@pytest.mark.parametrize("method", CODED)
def test_the_close_counts_from_the_codes_alone_and_records_the_json_count(
        method, secret, monkeypatch):
    proposal = _vote_on(method, secret=secret)
    expected = _json_count(proposal)

    def no_json(*args: Any) -> None:
        raise AssertionError("the close read the ballots' JSON")

    monkeypatch.setattr(closing, "_ballot_arrays", no_json)
    digest = selectors.ballots_digest
    if not secret:  # open ballots: the hash of their file's rows is spelled from the codes
        monkeypatch.setattr(selectors, "ballots_digest", no_json)
    decision = close(proposal)
    assert decision.result == services._normal(expected)
    assert decision.ballots_hash == digest(proposal)  # the bytes the ballot file hashes to


@pytest.mark.parametrize("secret", [False, True])
@pytest.mark.parametrize("method", CODED)
def test_a_close_from_codes_records_what_a_close_from_json_records(method, secret):
    proposal = _vote_on(method, secret=secret, voters=12)
    from_codes = _closed_and_rolled_back(proposal)
    _model(proposal).objects.filter(proposal=proposal).update(codes=None)  # as before codes
    proposal.refresh_from_db()
    assert _closed_and_rolled_back(proposal) == from_codes


def test_one_ballot_without_codes_sends_the_count_to_the_json(monkeypatch):
    proposal = _vote_on("irv")
    row = Ballot.objects.filter(proposal=proposal).order_by("id").first()
    assert row is not None
    Ballot.objects.filter(pk=row.pk).update(codes=None)  # cast by a server without codes
    assert closing._ballot_codes(proposal) is None
    decision = close(proposal)
    assert decision.result == services._normal(_json_count(proposal))


def test_a_changed_ballot_changes_its_codes(member, facilitator):
    set_rule(chapter(HACKNEY), "policy", method="schulze", params={})
    proposal = in_voting(facilitator, category="policy", options=OPTIONS)
    o1, o2, o3, o4 = options_of(proposal)
    vote(proposal, member, {"ranking": [o3, o1]})
    vote(proposal, member, {"ranking": [o4, o2, o1]})
    assert raw(Ballot.objects.get(member=member).codes) == bytes([3, 1, 0])


def test_a_changed_secret_ballot_changes_its_codes(member, facilitator):
    set_rule(chapter(HACKNEY), "policy", method="irv", secret=True, params={})
    proposal = in_voting(facilitator, category="policy", options=OPTIONS)
    o1, o2, _o3, _o4 = options_of(proposal)
    receipt = vote(proposal, member, {"ranking": [o1]}).receipt
    vote(proposal, member, {"ranking": [o2, o1]}, receipt=receipt)
    assert raw(SecretBallot.objects.get(proposal=proposal).codes) == bytes([1, 0])


def test_a_ranking_cast_through_the_form_is_stored_in_the_order_shown(member_client, member):
    set_rule(chapter(HACKNEY), "policy", method="irv", params={})
    proposal = in_voting(member, category="policy", options=OPTIONS)
    o1, o2, o3, o4 = options_of(proposal)
    form = {f"rank_{o1}": "3", f"rank_{o2}": "", f"rank_{o3}": "1", f"rank_{o4}": "2"}
    response = member_client.post(f"/decisions/p/{proposal.public_id}/vote/", form)
    assert response.status_code == 302, response.content.decode()
    stored = Ballot.objects.get(member=member)
    assert stored.ballot == {"ranking": [o3, o4, o1]}
    assert raw(stored.codes) == bytes([2, 3, 0])


def test_the_migration_gives_open_votes_their_codes_and_leaves_the_rest():
    backfill = importlib.import_module(
        "chapterhouse.decisions.migrations.0013_backfill_ballot_codes").backfill
    ranked = _vote_on("schulze")
    secret = _vote_on("approval", secret=True)
    consensus = _vote_on("plurality")
    Ballot.objects.update(codes=None)
    SecretBallot.objects.update(codes=None)
    # A vote already closed keeps null codes: nothing reads them.
    consensus.status = "closed"
    consensus.save(update_fields=["status"])
    backfill(apps, SimpleNamespace(connection=connection))  # what it uses of a schema editor
    for proposal in (ranked, secret):
        snapshot = proposal.rule_snapshot
        rows = _model(proposal).objects.filter(proposal=proposal).values_list("ballot", "codes")
        assert [raw(c) for _b, c in rows] == [
            voting.ballot_codes(snapshot["method"], snapshot["options"], b) for b, _c in rows]
    assert not Ballot.objects.filter(proposal=consensus, codes__isnull=False).exists()
