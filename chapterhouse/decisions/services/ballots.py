"""Ballots: casting (open and secret) and reminding those who have not voted."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from chapterhouse import voting
from chapterhouse.lib import audit
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import moment
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from .. import ballot_rows, selectors
from ..models import Ballot, Participation, Proposal, Roll, RollEntry, SecretBallot
from .common import (
    REMINDER_BATCH_SIZE,
    REMINDER_LEAD,
    DecisionError,
    Status,
    _now,
)


@dataclass(frozen=True)
class CastResult:
    """What cast_ballot did. `receipt` is the secret ballot's receipt code, shown to
    the voter once (only on their first secret ballot; None otherwise)."""

    ballot: dict[str, Any]
    weight: float
    changed: bool
    secret: bool
    receipt: str | None = None


class NotOnRoll(DecisionError):
    """The member is not on the frozen roll of this vote (interfaces answer 403)."""

    def __init__(self) -> None:
        super().__init__(
            _("You are not on the roll of this vote. The roll was frozen when voting "
              "opened, with the members affected at that moment.")
        )


def _window_refusal(status: str, closes_at: datetime | None, now: datetime
                    ) -> DecisionError | None:
    """Why no ballot can be cast now, whoever casts it; None while voting is open."""
    if status in (Status.DRAFT, Status.DELIBERATION):
        return DecisionError(_("Voting on this proposal has not opened yet."))
    if status != Status.VOTING or closes_at is None or now >= closes_at:
        return DecisionError(_("Voting on this proposal has closed."))
    return None


def window_refusal(*, proposal: Proposal, now: datetime | None = None
                   ) -> DecisionError | None:
    """What cast_ballot answers anyone while voting is not open (`proposal` as it was
    read), or None. No query. For interfaces, so that they show the service's refusal
    instead of writing their own."""
    return _window_refusal(proposal.status, proposal.voting_closes_at, _now(now))


def _lock_clause(alias: str) -> str:
    """Share-lock the proposal row until the ballot commits (PostgreSQL; SQLite
    serialises writes). close_voting locks the row FOR UPDATE: it waits for the
    ballots in flight, which it then counts, and a ballot waiting on a close re-reads
    the status and is refused. KEY SHARE is the weakest lock that conflicts with FOR
    UPDATE; it does not hold up updates of the proposal that leave its key alone."""
    return f" FOR KEY SHARE OF {alias}" if connection.vendor == "postgresql" else ""


def _voting_state(proposal_id: int, member_id: int) -> Proposal | None:
    """The proposal's voting state and the member's roll entry, in one query, the
    proposal row locked (_lock_clause)."""
    qn = connection.ops.quote_name
    p, r, e = (qn(m._meta.db_table) for m in (Proposal, Roll, RollEntry))
    sql = (
        f"SELECT p.id, p.status, p.voting_closes_at, p.rule_snapshot, "  # noqa: S608
        f"e.weight AS roll_weight, e.group_id AS roll_group "
        f"FROM {p} p LEFT JOIN {r} r ON r.proposal_id = p.id "
        f"LEFT JOIN {e} e ON e.roll_id = r.id AND e.member_id = %s "
        f"WHERE p.id = %s"
    ) + _lock_clause("p")
    rows = list(Proposal.objects.raw(sql, [member_id, proposal_id]))
    return rows[0] if rows else None


def cast_ballot(
    *,
    proposal: Proposal,
    member: Member,
    ballot: Mapping[str, Any],
    receipt: str | None = None,
    now: datetime | None = None,
) -> CastResult:
    """Cast or change `member`'s ballot while voting is open.

    Refused (DecisionError, nothing stored) outside the window, for members not on
    the frozen roll, and for ballots the method does not accept. One ballot per
    member by a unique constraint: a second ballot replaces the first (the insert
    does nothing on the conflict and the row is updated; never check-then-insert).
    The proposal row is share-locked until the ballot commits (_lock_clause), so a
    ballot and the close never overlap.

    An open ballot, when `proposal` is (as the caller read it) being voted on, is
    checked against its `rule_snapshot` (frozen when voting opens) and stored by one
    statement that checks the status, the close and the roll itself; only when that
    stores nothing is the state read, to say why (or to cast, when the caller's copy
    predates the opening). On PostgreSQL that statement writes the audit entry too,
    and is its own transaction when the caller has none open (_cast_open_audited).
    Secret ballots read the state first.

    Secret ballots: the first ballot records participation and returns a receipt
    code, shown once; changing it requires that receipt. No log, audit entry or
    notification carries the ballot's content. A few queries, whatever the roll size.
    """
    now = _now(now)
    trusted = proposal.status == Status.VOTING and not proposal.is_secret
    if trusted and connection.vendor == "postgresql":
        snapshot = proposal.rule_snapshot or {}
        normalised = _validated(snapshot, ballot)
        result = _cast_open_audited(proposal, member, normalised,
                                    ballot_rows.codes(snapshot, normalised), now)
        if result is not None:
            return result
    with transaction.atomic():
        result = None
        if trusted and connection.vendor != "postgresql":
            snapshot = proposal.rule_snapshot or {}
            normalised = _validated(snapshot, ballot)
            result = _cast_open(proposal.pk, member.pk, normalised,
                                ballot_rows.codes(snapshot, normalised), now)
        if result is None:
            result = _cast_checked(proposal.pk, member, ballot, receipt, now)
        # The entry says who voted (public for open and secret ballots alike), never what.
        audit.record(actor=member, action=ballot_rows.AUDIT_ACTION, target=proposal,
                     data=ballot_rows.audit_data(changed=result.changed, secret=result.secret))
    return result


def _validated(snapshot: Mapping[str, Any], ballot: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return voting.validate_ballot(
            method=snapshot["method"], options=snapshot.get("options", []),
            ballot=ballot, params=snapshot.get("params", {}),
        )
    except voting.InvalidBallot as exc:
        raise DecisionError(_("This ballot is not valid: %(reason)s")
                            % {"reason": exc.message}) from None


def _cast_checked(proposal_id: int, member: Member, ballot: Mapping[str, Any],
                  receipt: str | None, now: datetime) -> CastResult:
    """Read the voting state (locked): refuse, saying why, or cast."""
    state = _voting_state(proposal_id, member.pk)
    if state is None:
        raise DecisionError(_("This proposal does not exist."))
    closed = _window_refusal(state.status, state.voting_closes_at, now)
    if closed is not None:
        raise closed
    weight = getattr(state, "roll_weight", None)
    if weight is None:
        raise NotOnRoll()
    snapshot = state.rule_snapshot or {}
    normalised = _validated(snapshot, ballot)
    codes = ballot_rows.codes(snapshot, normalised)
    if snapshot.get("secret"):
        return _cast_secret(proposal_id, member, normalised, codes, float(weight),
                            getattr(state, "roll_group", None), receipt)
    result = _cast_open(proposal_id, member.pk, normalised, codes, now)
    assert result is not None, "checked above, under the lock"
    return result


def _cast_open(proposal_id: int, member_id: int, ballot: dict[str, Any], codes: bytes | None,
               now: datetime) -> CastResult | None:
    """Store the member's ballot (its JSON and its `codes`), with the weight and group
    of their roll entry (the columns of ballot_rows.open_ballot, filled from the roll in
    SQL), or
    change the one they cast before, if the proposal is being voted on at `now` and
    they are on its roll; None, storing nothing, otherwise. Locks the proposal row
    (_lock_clause), even when the insert gives way to the update."""
    qn = connection.ops.quote_name
    b, p, r, e = (qn(m._meta.db_table) for m in (Ballot, Proposal, Roll, RollEntry))
    value = connection.ops.adapt_json_value(ballot, None)
    moment = connection.ops.adapt_datetimefield_value(now)
    is_open = "p.status = %s AND p.voting_closes_at > %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {b} "  # noqa: S608 - the models' table names
            f"(proposal_id, member_id, ballot, codes, weight, group_id, cast_at, updated_at) "
            f"SELECT p.id, e.member_id, %s, %s, e.weight, e.group_id, %s, %s "
            f"FROM {p} p JOIN {r} r ON r.proposal_id = p.id "
            f"JOIN {e} e ON e.roll_id = r.id AND e.member_id = %s "
            f"WHERE p.id = %s AND {is_open}{_lock_clause('p')} "
            f"ON CONFLICT (proposal_id, member_id) DO NOTHING RETURNING weight",
            [value, codes, moment, moment, member_id, proposal_id, Status.VOTING.value,
             moment],
        )
        row = cursor.fetchone()
        changed = row is None
        if changed:
            # The member voted before (maybe a moment ago, in another request), or may
            # not vote now: change their ballot only while voting is open.
            cursor.execute(
                f"UPDATE {b} SET ballot = %s, codes = %s, updated_at = %s "  # noqa: S608
                f"WHERE proposal_id = %s AND member_id = %s AND EXISTS "
                f"(SELECT 1 FROM {p} p WHERE p.id = %s AND {is_open}) RETURNING weight",
                [value, codes, moment, proposal_id, member_id, proposal_id, Status.VOTING.value,
                 moment],
            )
            row = cursor.fetchone()
    if row is None:
        return None
    return CastResult(ballot=ballot, weight=float(row[0]), changed=changed, secret=False)


def _cast_open_audited(proposal: Proposal, member: Member, ballot: dict[str, Any],
                       codes: bytes | None, now: datetime) -> CastResult | None:
    """PostgreSQL: _cast_open and its audit entry (lib.audit.record_sql) in one
    statement, so one round trip, as atomic as a transaction (outside one, it commits
    itself): BEGIN, the insert, the entry and COMMIT were four.

    The insert gives way to an update of the member's earlier ballot by ON CONFLICT
    DO UPDATE, which the unique constraint arbitrates as before (a row PostgreSQL has
    just inserted has xmax 0: that tells a first ballot from a change). The SELECT
    checks the status, the close and the roll and locks the proposal row as
    _cast_open's does; None, storing nothing, when it finds no row."""
    qn = connection.ops.quote_name
    b, p, r, e = (qn(m._meta.db_table) for m in (Ballot, Proposal, Roll, RollEntry))
    moment = connection.ops.adapt_datetimefield_value(now)
    logged, logged_params = audit.record_sql(
        actor=member, action=ballot_rows.AUDIT_ACTION, target=proposal, source="stored",
        # ballot_rows.audit_data as SQL
        data="jsonb_build_object('changed', NOT stored.inserted, 'secret', false)",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH stored AS (INSERT INTO {b} "  # noqa: S608 - the models' table names
            f"(proposal_id, member_id, ballot, codes, weight, group_id, cast_at, updated_at) "
            f"SELECT p.id, e.member_id, %s, %s, e.weight, e.group_id, %s, %s "
            f"FROM {p} p JOIN {r} r ON r.proposal_id = p.id "
            f"JOIN {e} e ON e.roll_id = r.id AND e.member_id = %s "
            f"WHERE p.id = %s AND p.status = %s AND p.voting_closes_at > %s"
            f"{_lock_clause('p')} "
            f"ON CONFLICT (proposal_id, member_id) DO UPDATE "
            f"SET ballot = EXCLUDED.ballot, codes = EXCLUDED.codes, "
            f"updated_at = EXCLUDED.updated_at "
            f"RETURNING weight, xmax = 0 AS inserted), "
            f"logged AS ({logged}) "
            f"SELECT weight, inserted FROM stored",
            [connection.ops.adapt_json_value(ballot, None), codes, moment, moment, member.pk,
             proposal.pk, Status.VOTING.value, moment, *logged_params],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return CastResult(ballot=ballot, weight=float(row[0]), changed=not row[1], secret=False)


def _cast_secret(proposal_id: int, member: Member, ballot: dict[str, Any], codes: bytes | None,
                 weight: float, group_id: int | None, receipt: str | None) -> CastResult:
    table = connection.ops.quote_name(Participation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (proposal_id, member_id) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (proposal_id, member_id) DO NOTHING RETURNING id",
            [proposal_id, member.pk],
        )
        first = cursor.fetchone() is not None
    if not first:
        if not receipt:
            raise DecisionError(
                _("You have already voted. To change a secret ballot, give the receipt code "
                  "you were shown when you voted.")
            )
        # The receipt alone is not enough: the ballot must also be this voter's
        # (selectors.owner_hash), so a receipt seen over someone's shoulder changes nothing.
        updated = SecretBallot.objects.filter(
            proposal_id=proposal_id, receipt_hash=selectors.receipt_hash(receipt),
            owner_hash=selectors.owner_hash(proposal_id, member.public_id, receipt),
        ).update(ballot=ballot, codes=codes)
        if not updated:
            raise DecisionError(_("No ballot in this vote matches that receipt code."))
        return CastResult(ballot=ballot, weight=weight, changed=True, secret=True)
    code = selectors.new_receipt()
    _insert_secret_ballot(ballot_rows.secret_ballot(
        proposal_id=proposal_id, receipt=code, ballot=ballot, codes=codes, weight=weight,
        group_id=group_id, owner=selectors.owner_hash(proposal_id, member.public_id, code),
    ))
    return CastResult(ballot=ballot, weight=weight, changed=False, secret=True, receipt=code)


def _insert_secret_ballot(row: dict[str, Any]) -> None:
    """Store a secret ballot where its place says nothing of when it was cast.

    The participation (who) and the ballot (what) are written in the same transaction,
    so the order of rows is the only thing that could pair them. The ballot's primary
    key is a random UUID (SecretBallot). SQLite keeps a table's rows in the order of a
    hidden integer `rowid`, given in insertion order: the ballot gets a random rowid
    instead, so reading the table in its physical order (or by rowid) shuffles the
    ballots. PostgreSQL keeps no such key, but appends rows to its heap in insertion
    order and stamps each with its transaction (xmin): there close_voting rewrites the
    vote's secret ballots in random order in the closing transaction, which severs both
    (see the README's residual risks for the time before the close).
    """
    if connection.vendor != "sqlite":
        SecretBallot.objects.create(**row)
        return
    ballot = SecretBallot(**row)
    fields = [f for f in SecretBallot._meta.concrete_fields]
    qn = connection.ops.quote_name
    columns = ", ".join(["rowid", *(qn(f.column) for f in fields)])
    values = [secrets.randbelow(2**62) + 1,
              *(f.get_db_prep_save(getattr(ballot, f.attname), connection) for f in fields)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(SecretBallot._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(values))})", values,
        )


def send_reminders(*, proposal: Proposal, now: datetime | None = None,
                   batch_size: int = REMINDER_BATCH_SIZE) -> int:
    """Remind members on the roll who have not voted, in the last day before the close.

    Idempotent: each roll entry remembers when its member was reminded, and is
    reminded once. Works in batches, each in its own transaction (a big roll is never
    one giant transaction; a crash resumes where it stopped). Returns how many were
    reminded by this call.
    """
    now = _now(now)
    if proposal.status != Status.VOTING or proposal.voting_closes_at is None:
        return 0
    closes = proposal.voting_closes_at
    if not (closes - REMINDER_LEAD <= now < closes):
        return 0
    voted_model = Participation if proposal.is_secret else Ballot
    # Without the NULLs a deleted account leaves: NOT IN over a NULL matches nothing.
    voted = voted_model.objects.filter(proposal=proposal, member__isnull=False).values(
        "member_id"
    )
    title = proposal.title
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                RollEntry.objects.select_for_update(skip_locked=True)
                .filter(roll__proposal=proposal, reminded_at__isnull=True, member__isnull=False)
                .exclude(member_id__in=voted)
                .order_by("id")
                .values_list("id", "member_id")[:batch_size]
            )
            if not rows:
                break
            members = Member.objects.filter(pk__in=[m for _i, m in rows], user__is_active=True)
            notify(
                recipients=members, kind=Kind.VOTE_REMINDER,
                message="decisions.vote_reminder",
                params={"title": title, "when": moment(closes)},
                url=proposal.get_absolute_url(),
                # One reminder per member and close, whatever runs twice.
                event=f"vote_reminder:{proposal.public_id}:{closes.isoformat()}",
            )
            RollEntry.objects.filter(pk__in=[i for i, _m in rows]).update(reminded_at=now)
        total += len(rows)
        if len(rows) < batch_size:
            break
    return total
