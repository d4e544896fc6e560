import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from chapterhouse.audit.models import AuditEntry
from chapterhouse.decisions import selectors, services
from chapterhouse.decisions.models import (
    Ballot,
    Decision,
    Participation,
    Proposal,
    ProposalEvent,
    SecretBallot,
)
from chapterhouse.decisions.services import DecisionError
from chapterhouse.decisions.tests.factories import (
    at,
    chapter,
    close,
    in_deliberation,
    in_voting,
    set_rule,
    vote,
)
from chapterhouse.members.models import Member
from chapterhouse.members.tests.factories import make_member
from chapterhouse.notifications.models import Notification

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"


def nothing_stored():
    return not (Ballot.objects.exists() or SecretBallot.objects.exists()
                or Participation.objects.exists())


# -- Open ballots ------------------------------------------------------------------------


def test_a_member_on_the_roll_votes_with_their_weight(member, facilitator):
    proposal = in_voting(member, groups=[
        {"chapter": chapter(HACKNEY), "weight": 2.5, "reason": "the square"},
    ])
    result = vote(proposal, member, {"choice": "yes"})
    assert (result.ballot, result.weight, result.changed, result.receipt) == (
        {"choice": "yes"}, 2.5, False, None)
    ballot = Ballot.objects.get()
    assert (ballot.member, ballot.ballot, ballot.weight) == (member, {"choice": "yes"}, 2.5)
    assert selectors.has_voted(proposal, member)
    assert selectors.own_ballot(proposal, member) == {"choice": "yes"}


def test_voting_again_changes_the_ballot(member):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    result = vote(proposal, member, {"choice": "no"})
    assert result.changed
    assert list(Ballot.objects.values_list("ballot", flat=True)) == [{"choice": "no"}]


def test_the_database_holds_one_ballot_per_member(member):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(proposal=proposal, member=member, ballot={"choice": "no"}, weight=1)


@pytest.mark.parametrize("ballot, message", [
    ({"choice": "maybe"}, "not valid"),
    ({"choice": "yes", "weight": 10}, "not valid"),
    ({"option": "o1"}, "not valid"),
    ("yes", "not valid"),
])
def test_a_malformed_ballot_is_refused_with_nothing_stored(member, ballot, message):
    proposal = in_voting(member)
    with pytest.raises(DecisionError, match=message):
        vote(proposal, member, ballot)
    assert nothing_stored()


@pytest.mark.parametrize("ballot", [
    {"ranking": ["o1", "o1"]},
    {"ranking": ["o9"]},
    {"ranking": ["o1"], "extra": True},
])
def test_a_malformed_ranking_is_refused(member, ballot):
    set_rule(chapter(HACKNEY), "routine", method="schulze", params={})
    proposal = in_voting(member, options=["Oak", "Lime"])
    with pytest.raises(DecisionError, match="not valid"):
        vote(proposal, member, ballot)
    assert nothing_stored()


def test_members_off_the_roll_are_refused_clearly(member, outsider, neighbour):
    proposal = in_voting(member)
    for other in (outsider, neighbour):
        with pytest.raises(DecisionError, match="not on the roll"):
            vote(proposal, other, {"choice": "yes"})
    assert nothing_stored()


def test_a_ballot_before_voting_opens_is_refused(member):
    proposal = in_deliberation(member)
    with pytest.raises(DecisionError, match="not opened yet"):
        vote(proposal, member, {"choice": "yes"})
    assert nothing_stored()


def test_a_ballot_after_the_deadline_is_refused(member):
    proposal = in_voting(member)
    with pytest.raises(DecisionError, match="closed"):
        vote(proposal, member, {"choice": "yes"}, now=proposal.voting_closes_at)
    assert nothing_stored()


def test_a_ballot_after_closing_is_refused(member):
    proposal = in_voting(member)
    close(proposal)
    with pytest.raises(DecisionError, match="closed"):
        vote(proposal, member, {"choice": "yes"}, now=proposal.voting_opens_at)
    assert nothing_stored()


def test_a_ballot_is_audited_without_its_content(member):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    entry = AuditEntry.objects.get(action="ballots.cast")
    assert entry.actor == member
    assert entry.data == {"changed": False, "secret": False}


def test_casting_takes_a_few_queries_whatever_the_roll(member, django_assert_max_num_queries):
    def cast_queries(extra_members):
        for i in range(extra_members):
            make_member(f"Voter {extra_members}-{i}", city="London", neighbourhood="Hackney")
        proposal = in_voting(member, title=f"Vote {extra_members}")
        counts = []
        for ballot in ({"choice": "yes"}, {"choice": "no"}):
            with CaptureQueriesContext(connection) as queries:
                vote(proposal, member, ballot)
            counts.append(len(queries))
        return counts

    small, large = cast_queries(1), cast_queries(15)
    assert small == large
    if connection.vendor == "postgresql":
        # One statement, its own transaction: the insert (which checks the state and the
        # roll, and changes the earlier ballot on a conflict) and the audit entry.
        assert small == [1, 1]
    else:
        # First ballot: the insert (which checks the state and the roll) and the audit
        # entry, between BEGIN and COMMIT (here a savepoint); a change: the insert gives
        # way to an update.
        assert small == [4, 5]


def test_a_changed_ballot_is_audited_as_a_change(member):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, member, {"choice": "no"})
    entries = AuditEntry.objects.filter(action="ballots.cast").order_by("id")
    assert [(e.actor, e.target_label, e.data) for e in entries] == [
        (member, f"decisions.Proposal:{proposal.pk}", {"changed": False, "secret": False}),
        (member, f"decisions.Proposal:{proposal.pk}", {"changed": True, "secret": False}),
    ]
    assert Ballot.objects.get(proposal=proposal, member=member).ballot == {"choice": "no"}


# -- Secret ballots ---------------------------------------------------------------------


def secret_rule():
    set_rule(chapter(HACKNEY), "routine", secret=True)


def test_a_secret_ballot_is_stored_apart_from_who_voted(member, facilitator):
    secret_rule()
    proposal = in_voting(member)
    result = vote(proposal, member, {"choice": "yes"})
    assert result.secret and result.receipt and len(result.receipt) == 19
    assert list(Participation.objects.values_list("member", flat=True)) == [member.pk]
    secret = SecretBallot.objects.get()
    assert secret.ballot == {"choice": "yes"}
    assert secret.receipt_hash == selectors.receipt_hash(result.receipt)
    assert not Ballot.objects.exists()
    assert selectors.has_voted(proposal, member)
    assert selectors.own_ballot(proposal, member) is None


def test_a_secret_ballot_has_no_column_linking_it_to_a_member():
    fields = {f.name: f for f in SecretBallot._meta.get_fields()}
    assert not any(getattr(f, "related_model", None) is Member for f in fields.values())
    assert not any(f.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
                   for f in SecretBallot._meta.concrete_fields)
    assert SecretBallot._meta.pk.get_internal_type() == "UUIDField"  # no insertion order
    participation = {f.name for f in Participation._meta.concrete_fields}
    assert participation == {"id", "proposal", "member"}


def test_changing_a_secret_ballot_needs_the_receipt(member):
    secret_rule()
    proposal = in_voting(member)
    receipt = vote(proposal, member, {"choice": "yes"}).receipt
    with pytest.raises(DecisionError, match="receipt code"):
        vote(proposal, member, {"choice": "no"})
    with pytest.raises(DecisionError, match="matches"):
        vote(proposal, member, {"choice": "no"}, receipt="not-my-receipt")
    assert SecretBallot.objects.get().ballot == {"choice": "yes"}
    result = vote(proposal, member, {"choice": "no"}, receipt=receipt)
    assert result.changed and result.receipt is None
    assert SecretBallot.objects.get().ballot == {"choice": "no"}
    assert Participation.objects.count() == 1


def test_the_receipt_finds_the_ballot_in_the_ballot_file(member, facilitator):
    secret_rule()
    proposal = in_voting(member)
    receipt = at(vote(proposal, member, {"choice": "yes"}).receipt)
    vote(proposal, facilitator, {"choice": "no"})
    close(proposal)
    found = selectors.find_secret_ballot(proposal, receipt)
    assert found == {"receipt": selectors.receipt_hash(receipt), "weight": 1.0,
                     "ballot": {"choice": "yes"}}
    rows = selectors.ballot_file(proposal)["ballots"]
    assert {"receipt": found["receipt"], "weight": "1", "ballot": {"choice": "yes"}} in rows
    assert all(row["receipt"] for row in rows)
    assert selectors.find_secret_ballot(proposal, "guess") is None


def test_nothing_written_about_a_secret_ballot_carries_its_content(member):
    secret_rule()
    proposal = in_voting(member)
    receipt = at(vote(proposal, member, {"choice": "no"}).receipt)
    vote(proposal, member, {"choice": "yes"}, receipt=receipt)
    receipt_hash = selectors.receipt_hash(receipt)
    secret_id = str(SecretBallot.objects.get().pk)
    for entry in AuditEntry.objects.all():
        text = f"{entry.target_type}:{entry.target_id} {entry.data}"
        assert "SecretBallot" not in text and secret_id not in text
        assert receipt_hash not in text and '"choice"' not in text and "'choice'" not in text
    for notice in Notification.objects.all():
        assert receipt_hash not in notice.text and "yes" not in notice.text.lower().split()
    for event in ProposalEvent.objects.all():
        assert "choice" not in str(event.data) and secret_id not in str(event.data)


# -- Concurrency (PostgreSQL only: SQLite serialises writes and hides races) -------------


def connection_slots(wanted: int) -> threading.BoundedSemaphore:
    """As many simultaneous connections as the server has free (a few kept back), at most
    `wanted`: PostgreSQL's default max_connections is 100, and the test holds one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - "
                       "(SELECT count(*) FROM pg_stat_activity)")
        free = cursor.fetchone()[0]
    return threading.BoundedSemaphore(max(2, min(wanted, free - 5)))


def run_at_once(count: int, work) -> None:
    """Run `work(i)` in `count` real threads released together by a barrier, each with
    its own database connection."""
    barrier = threading.Barrier(count)
    slots = connection_slots(count)

    def run(i):
        barrier.wait()
        with slots:
            try:
                work(i)
            finally:
                connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrency is tested on PostgreSQL with real threads")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hundred_simultaneous_ballots_by_one_member_leave_one(member):
    proposal = in_voting(member)
    errors: list[BaseException] = []

    def cast(i):
        try:
            vote(proposal, member, {"choice": "yes" if i % 2 else "no"})
        except BaseException as exc:  # reported below
            errors.append(exc)

    run_at_once(100, cast)
    assert errors == []
    assert Ballot.objects.filter(proposal=proposal, member=member).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrency is tested on PostgreSQL with real threads")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_secret_ballots_by_one_member_leave_one(member):
    secret_rule()
    proposal = in_voting(member)
    receipts: list[str] = []
    refused: list[str] = []

    def cast(_i):
        try:
            receipts.append(at(vote(proposal, member, {"choice": "yes"}).receipt))
        except DecisionError as exc:
            refused.append(exc.message)

    run_at_once(30, cast)
    assert len(receipts) == 1 and len(refused) == 29
    assert all("already voted" in message for message in refused)
    assert SecretBallot.objects.filter(proposal=proposal).count() == 1
    assert Participation.objects.filter(proposal=proposal).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrency is tested on PostgreSQL with real threads")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ballots_racing_the_close_are_either_counted_or_refused(member):
    voters = [member] + [make_member(f"Racer {i}", city="London", neighbourhood="Hackney")
                         for i in range(29)]
    proposal = in_voting(member)
    closes = at(proposal.voting_closes_at)
    accepted: list[int] = []

    def act(i):
        if i == len(voters):
            time.sleep(0.12)  # in the middle of the ballots
            services.close_voting(proposal=proposal, now=closes)
            return
        time.sleep(i * 0.01)  # spread the ballots over the close
        try:
            # The ballots are (by their clock) just in time; the close may still win.
            vote(proposal, voters[i], {"choice": "yes"}, now=closes - timedelta(seconds=1))
            accepted.append(i)
        except DecisionError as exc:
            assert "closed" in exc.message

    run_at_once(len(voters) + 1, act)
    decision = Decision.objects.get(proposal=proposal)
    assert Ballot.objects.filter(proposal=proposal).count() == len(accepted)
    assert decision.turnout["voters"] == len(accepted)


def test_the_voting_window_uses_the_frozen_close(member):
    proposal = in_voting(member)
    just_before = at(proposal.voting_closes_at) - timedelta(seconds=1)
    vote(proposal, member, {"choice": "yes"}, now=just_before)
    assert Ballot.objects.count() == 1


def in_open_transaction(work, done: threading.Event, release: threading.Event,
                        errors: list[BaseException]) -> threading.Thread:
    """A started thread that runs `work()` in a transaction on its own connection, sets
    `done`, and commits only when `release` is set."""
    def run():
        try:
            with transaction.atomic():
                work()
                done.set()
                release.wait(30)
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def in_thread(work, errors: list[BaseException]) -> threading.Thread:
    def run():
        try:
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrency is tested on PostgreSQL with real threads")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("voted_before", [False, True])
def test_a_close_waits_for_a_ballot_in_flight_and_counts_it(member, voted_before):
    proposal = in_voting(member)
    closes = at(proposal.voting_closes_at)
    in_time = closes - timedelta(seconds=1)
    if voted_before:  # the ballot in flight is a change (the insert gives way to an update)
        vote(proposal, member, {"choice": "no"}, now=in_time)
    cast, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    ballot = in_open_transaction(
        lambda: vote(proposal, member, {"choice": "yes"}, now=in_time), cast, release, errors)
    assert cast.wait(30)
    closing = in_thread(lambda: services.close_voting(proposal=proposal, now=closes), errors)
    closing.join(0.5)
    close_waited = closing.is_alive()
    release.set()
    ballot.join()
    closing.join()
    assert errors == []
    assert close_waited
    decision = Decision.objects.get(proposal=proposal)
    assert decision.turnout["voters"] == 1
    assert decision.outcome == "passed"  # the "yes" in flight, not the earlier "no"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="concurrency is tested on PostgreSQL with real threads")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("voted_before", [False, True])
def test_a_ballot_waits_for_a_close_in_flight_and_is_refused(member, voted_before):
    proposal = in_voting(member)
    closes = at(proposal.voting_closes_at)
    in_time = closes - timedelta(seconds=1)
    if voted_before:
        vote(proposal, member, {"choice": "no"}, now=in_time)
    closed, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    closing = in_open_transaction(
        lambda: services.close_voting(proposal=Proposal.objects.get(pk=proposal.pk),
                                      now=closes),
        closed, release, errors)
    assert closed.wait(30)
    # `proposal` still says "voting": the ballot takes the path that trusts it.
    ballot = in_thread(lambda: vote(proposal, member, {"choice": "yes"}, now=in_time), errors)
    ballot.join(0.5)
    ballot_waited = ballot.is_alive()
    release.set()
    closing.join()
    ballot.join()
    assert ballot_waited
    assert [getattr(e, "message", e) for e in errors] == ["Voting on this proposal has closed."]
    expected = [{"choice": "no"}] if voted_before else []
    assert list(Ballot.objects.values_list("ballot", flat=True)) == expected
    assert Decision.objects.get(proposal=proposal).turnout["voters"] == len(expected)


def test_a_ballot_cannot_be_changed_after_closing(member):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    read_before_the_close = Proposal.objects.get(pk=proposal.pk)
    close(proposal)
    with pytest.raises(DecisionError, match="closed"):
        vote(read_before_the_close, member, {"choice": "no"},
             now=proposal.voting_opens_at)
    assert list(Ballot.objects.values_list("ballot", flat=True)) == [{"choice": "yes"}]
    assert AuditEntry.objects.filter(action="ballots.cast").count() == 1


def test_a_ballot_is_cast_on_a_proposal_read_before_voting_opened(member):
    proposal = in_deliberation(member)
    read_before_opening = Proposal.objects.get(pk=proposal.pk)
    services.open_voting(proposal=proposal, now=proposal.voting_opens_at)
    result = vote(read_before_opening, member, {"choice": "yes"},
                  now=at(proposal.voting_opens_at) + timedelta(minutes=1))
    assert (result.changed, result.weight) == (False, 1.0)
    assert list(Ballot.objects.values_list("member", "ballot")) == [
        (member.pk, {"choice": "yes"})]

