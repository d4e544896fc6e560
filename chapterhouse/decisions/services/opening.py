"""Opening the vote: competing amendments become options, the roll is frozen (one
INSERT ... SELECT) and the rule is snapshotted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.members.models import Member
from chapterhouse.notifications.messages import moment
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify, notify_roll_of

from .. import selectors
from ..models import (
    MULTI_OPTION_METHODS,
    YES_NO_METHODS,
    Amendment,
    DecisionRule,
    Method,
    Option,
    Proposal,
    ProposalEvent,
    Roll,
    RollEntry,
    StakeDeclaration,
)
from .affectedness import _check_groups_inside
from .common import (
    _COMMON_PARAMS,
    _PARAMS_OF,
    REMINDER_LEAD,
    DecisionError,
    Status,
    _event,
    _facilitators,
    _locked,
    _now,
    _rule_for,
    _when,
    schedule_step,
)
from .objections import hold_for_objections


def _params_for(method: str, option_keys: list[str], params: Mapping[str, Any],
                seed: str) -> dict[str, Any]:
    """The rule's parameters that apply to `method` (a switched ballot keeps only the
    quorum and tie-break), with approval's limits clamped to the options and a lot
    seed (the roll hash) when the tie-break is by lot and the rule gave none."""
    allowed = _COMMON_PARAMS + _PARAMS_OF.get(method, ())
    result = {k: v for k, v in params.items() if k in allowed}
    if method == Method.APPROVAL:
        k = len(option_keys)
        if result.get("max_choices") is not None:
            result["max_choices"] = min(int(result["max_choices"]), k)
        if result.get("min_choices") is not None:
            result["min_choices"] = min(int(result["min_choices"]), result.get("max_choices", k))
    if result.get("tie_break") == "lot" and not result.get("seed"):
        result["seed"] = seed
    return result


def _ballot_options(proposal: Proposal, rule: DecisionRule) -> tuple[str, list[str], bool]:
    """Turn competing amendments into options; returns (method, option keys, switched)."""
    competing = list(proposal.amendments.filter(status=Amendment.Status.OPEN).order_by("number"))
    proposal.amendments.filter(pk__in=[a.pk for a in competing]).update(
        status=Amendment.Status.COMPETING
    )
    existing = list(proposal.options.order_by("position", "id"))
    method = rule.method
    switched = False
    new_options: list[Option] = []
    position = max((o.position for o in existing), default=0)
    needs_choice = bool(competing) or bool(existing)
    if (method in YES_NO_METHODS and needs_choice) or (
        method in MULTI_OPTION_METHODS and len(existing) < 2
    ):
        # A choice between the proposal as it stands, the alternatives and no change.
        if method in YES_NO_METHODS:
            method, switched = rule.alternatives_method, True
        if not existing:
            new_options.append(Option(proposal=proposal, key="proposal", label=proposal.title,
                                      text=proposal.text, source=Option.Source.ORIGINAL,
                                      position=1))
            position = 1
    for amendment in competing:
        position += 1
        new_options.append(Option(
            proposal=proposal, key=amendment.option_key,
            label=amendment.label or _("Amendment %(n)s") % {"n": amendment.number},
            text=amendment.text, source=Option.Source.AMENDMENT, amendment=amendment,
            position=position,
        ))
    if switched or (method in MULTI_OPTION_METHODS and len(existing) < 2):
        new_options.append(Option(proposal=proposal, key="none", label=_("No change"),
                                  source=Option.Source.STATUS_QUO, position=position + 1))
    Option.objects.bulk_create(new_options)
    keys = [] if method in YES_NO_METHODS else [o.key for o in [*existing, *new_options]]
    return method, keys, switched


def _freeze_roll(proposal: Proposal, now: datetime) -> Roll:
    """Write the roll with one INSERT … SELECT (weights by path prefix, deepest group
    first, then stake declarations), then hash it streaming. No model instances."""
    scope = proposal.chapter
    groups = list(proposal.affected_groups.select_related("chapter").order_by(
        "-chapter__depth", "chapter__path"))
    roll = Roll.objects.create(proposal=proposal, frozen_at=now, hash="", size=0, total_weight=0)
    qn = connection.ops.quote_name
    member_t, user_t = qn(Member._meta.db_table), qn(Member._meta.get_field("user")
                                                      .related_model._meta.db_table)  # type: ignore[union-attr]
    chapter_t, stake_t = qn(Chapter._meta.db_table), qn(StakeDeclaration._meta.db_table)
    entry_t = qn(RollEntry._meta.db_table)
    # Weights go in as decimal text cast to NUMERIC: exact on PostgreSQL (numeric), and
    # on SQLite the same value as a stored weight (so the comparison below is like with like).
    weight_sql = "CAST(%s AS NUMERIC)"
    weight_params: list[str] = ["1"]  # path LIKE patterns and weights, in turn
    reason_sql, reason_params = "%s", [selectors.default_reason(scope)]
    if groups:
        weight_sql = "CASE " + " ".join("WHEN c.path LIKE %s THEN CAST(%s AS NUMERIC)"
                                        for _g in groups) + " ELSE CAST(%s AS NUMERIC) END"
        reason_sql = "CASE " + " ".join("WHEN c.path LIKE %s THEN %s" for _g in groups) + \
            " ELSE %s END"
        weight_params, reason_params = [], []
        for g in groups:
            weight_params += [g.chapter.path + "%", str(g.weight)]
            reason_params += [g.chapter.path + "%", selectors.group_reason(g.chapter, g.reason)]
        weight_params.append("1")
        reason_params.append(selectors.default_reason(scope))
    chosen_weight = "CASE WHEN t.sw IS NOT NULL AND t.sw > t.gw THEN t.sw ELSE t.gw END"
    chosen_reason = "CASE WHEN t.sw IS NOT NULL AND t.sw > t.gw THEN t.sr ELSE t.gr END"
    sql = f"""
        INSERT INTO {entry_t} (roll_id, member_id, weight, reason, group_id, reminded_at)
        SELECT %s, t.member_id, {chosen_weight}, {chosen_reason}, g.id, NULL
        FROM (
            SELECT m.id AS member_id, c.path AS home_path,
                   {weight_sql} AS gw, {reason_sql} AS gr,
                   s.weight AS sw, %s || s.reason AS sr
            FROM {member_t} m
            JOIN {user_t} u ON u.id = m.user_id
            JOIN {chapter_t} c ON c.id = m.home_chapter_id
            LEFT JOIN {stake_t} s ON s.member_id = m.id AND s.proposal_id = %s
            WHERE c.path LIKE %s AND u.is_active = %s
        ) t
        LEFT JOIN {chapter_t} g
            ON LENGTH(t.home_path) > %s AND g.path = SUBSTR(t.home_path, 1, %s)
        WHERE {chosen_weight} > 0
    """  # noqa: S608 - table names are quoted model tables; values are parameters
    params: list[Any] = [
        roll.pk, *weight_params, *reason_params, selectors.stake_reason(""), proposal.pk,
        scope.path + "%", True, len(scope.path), len(scope.path) + scope.steplen,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    digest, size, total = selectors.roll_digest(proposal)
    Roll.objects.filter(pk=roll.pk).update(hash=digest, size=size, total_weight=total)
    roll.hash, roll.size, roll.total_weight = digest, size, total
    return roll


def open_voting(*, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Open the vote when it is due: freeze the roll (with its hash), the rule and the
    options. Idempotent: a proposal already voting or closed is returned unchanged.
    Objections to the weights may hold it in deliberation (services.objections).
    Refuses before `voting_opens_at` (nobody opens a vote early)."""
    now = _now(now)
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status in (Status.VOTING, Status.CLOSED):
            return proposal
        if proposal.status != Status.DELIBERATION:
            raise DecisionError(_("Only a proposal in deliberation can go to the vote."))
        if now < proposal.voting_opens_at:  # type: ignore[operator]
            raise DecisionError(_("Voting opens on %(when)s.")
                                % {"when": _when(proposal.voting_opens_at)})  # type: ignore[arg-type]
        _check_groups_inside(proposal)
        rule = _rule_for(proposal.chapter, proposal.category)
        if hold_for_objections(proposal=proposal, rule=rule, now=now, freeze=_freeze_roll):
            return proposal  # held until the weights are settled (services.objections)
        method, option_keys, switched = _ballot_options(proposal, rule)
        roll = _freeze_roll(proposal, now)
        snapshot = rule.snapshot()
        snapshot.update({
            "rule_method": rule.method,
            "method": method,
            "switched": switched,
            "options": option_keys,
            "params": _params_for(method, option_keys, rule.params, roll.hash),
        })
        proposal.rule_snapshot = snapshot
        proposal.status = Status.VOTING
        proposal.voting_opens_at = now
        proposal.voting_closes_at = now + timedelta(days=rule.voting_days)
        proposal.updated_at = now
        proposal.save(update_fields=["rule_snapshot", "status", "voting_opens_at",
                                     "voting_closes_at", "updated_at"])
        _event(proposal, ProposalEvent.Kind.VOTING_OPENED, None, roll_hash=roll.hash,
               roll_size=roll.size, total_weight=voting.to_text(roll.total_weight), method=method,
               switched=switched, closes_at=proposal.voting_closes_at.isoformat())
        audit.record(actor=None, action="decisions.open_voting", target=proposal,
                     chapter=proposal.chapter,
                     data={"roll_hash": roll.hash, "roll_size": roll.size,
                           "total_weight": voting.to_text(roll.total_weight), "rule": snapshot})
        recipients = _facilitators(proposal.chapter)
        if proposal.author is not None:
            recipients.append(proposal.author)
        title, closes = proposal.title, proposal.voting_closes_at
        opened = {"title": title, "when": moment(closes)}
        # One event per opening (named by its close): told twice, a member hears once.
        event = f"voting_opened:{proposal.public_id}:{closes.isoformat()}"
        notify(recipients=recipients, kind=Kind.VOTING_OPENED,
               message="decisions.voting_opened", params=opened,
               url=proposal.get_absolute_url(), event=event)
        # Everyone else on the roll, in the background (never in the request).
        notify_roll_of(proposal_id=proposal.pk, kind=Kind.VOTING_OPENED,
                       message="decisions.voting_opened", params=opened,
                       url=proposal.get_absolute_url(), exclude=[m.pk for m in recipients],
                       event=f"{event}:roll")
        schedule_step(proposal, closes - REMINDER_LEAD)
        schedule_step(proposal, closes)
    return proposal
