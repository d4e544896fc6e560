"""Writes about decisions: the life of a proposal, from draft to recorded decision.

One module per topic: drafts, amendments, affectedness, subsidiarity (move up, refer
down), opening (the roll), ballots, closing (the count and the record), rules_changes
(what a rules or roles proposal carries and applies), schedule (the step due) and
meetings (a vote taken face to face, entered as a record);
common holds what they share. This package re-exports the public names: callers
write `services.cast_ballot(...)`, never `services.ballots.cast_ballot`.

Every function is keyword-only, runs in one transaction and returns the object.
Refusals raise `DecisionError(message)` with a translated sentence a member can act
on, and store nothing. Governance actions write an audit entry
(`chapterhouse.lib.audit.record`) in the same transaction.

Permissions are the callers' check (`decisions.*` rules, through `has_perm`); what
must hold whoever calls — windows, eligibility, the author owning their draft, one
ballot per member — is checked here.

Amendments and the ballot (how competing alternatives are decided):
- A "text_change" amendment proposes a new text; an "alternative" proposes another
  option (label and text). The proposal's author may accept an amendment while the
  proposal is in deliberation: a text change (or, on a yes/no proposal, an
  alternative) becomes the text — a new version, credited to the amendment's
  author; an alternative on a multi-option proposal becomes an option at once.
- Amendments still open when voting opens become "competing" options ("a<n>").
- A yes/no proposal (majority, supermajority, consent, consensus) with competing
  options becomes a choice between options, decided by the rule's
  `alternatives_method` (Schulze unless the rule says otherwise): the options are
  "proposal" (the proposal as it stands), each competing amendment, and "none" (no
  change). Only the quorum and tie-break of the rule carry over; its threshold does
  not. The outcome is recorded as "passed" when "proposal" wins, "rejected" when
  "none" wins, and "elected" (with the amendment as winner) otherwise.
- A "rules" or "roles" proposal acts (its payload applies) only when the outcome
  is "passed": when an alternative wins, nothing is applied automatically.

Subsidiarity:
- `move_up` moves a proposal to an ancestor of its scope (before voting), so that
  affected groups beyond the old scope can be named; a published proposal restarts
  its periods under the new scope's rule, since new members now deliberate.
- `refer_down` (a published proposal, before voting) creates one copy per named
  sub-chapter, each published there under that chapter's rule, with the affected
  groups that lie inside it; the original becomes "referred" (terminal). Both sides
  record the referral in their history.

Scheduling: `publish` and `open_voting` ask for the next step at the moment it is
due (common.schedule_step); decisions.tasks registers the runner that enqueues
`tasks.advance_proposal` with `run_after`, when the task backend supports deferred
tasks (the database backend does; the immediate backend used in tests does not).
The `advance_decisions` management command sweeps all due proposals and is the
safety net either way.
"""

from __future__ import annotations

from ..models import MEETING_METHODS
from .affectedness import declare_stake, set_affected_groups, withdraw_stake
from .amendments import accept_amendment, propose_amendment, withdraw_amendment
from .ballots import CastResult, NotOnRoll, cast_ballot, send_reminders, window_refusal
from .closing import (
    _ballot_arrays,
    _ballot_codes,
    _normal,
    _prepared_ballots,
    add_dissent,
    close_voting,
)
from .common import (
    BREAKDOWN_MIN_VOTERS,
    MAX_OPTIONS,
    MAX_PERIOD_DAYS,
    REMINDER_BATCH_SIZE,
    REMINDER_LEAD,
    DecisionError,
    GroupInput,
    OptionInput,
    _start_deliberation_thread,
)
from .drafts import create_draft, publish, save_draft, update_draft, withdraw_proposal
from .meetings import record_meeting_vote
from .objections import (
    hold_for_objections,
    maintain_objection,
    object_to_weight,
    settle_objections,
    withdraw_objection,
)
from .opening import open_voting
from .rules_changes import RULE_FIELDS, bump_rules_version, check_rule_values
from .schedule import advance, advance_all, due_proposals
from .subsidiarity import move_up, refer_down
from .weights_vote import vote_on_weights

__all__ = [
    "BREAKDOWN_MIN_VOTERS", "MAX_OPTIONS", "MAX_PERIOD_DAYS", "REMINDER_BATCH_SIZE",
    "REMINDER_LEAD", "RULE_FIELDS", "CastResult", "DecisionError", "GroupInput", "NotOnRoll",
    "OptionInput", "_ballot_arrays", "_ballot_codes", "_normal", "_prepared_ballots",
    "_start_deliberation_thread",
    "accept_amendment", "add_dissent", "advance", "advance_all",
    "bump_rules_version", "cast_ballot", "check_rule_values", "close_voting", "create_draft",
    "declare_stake", "due_proposals", "move_up", "open_voting", "propose_amendment",
    "publish", "refer_down", "save_draft", "send_reminders", "set_affected_groups",
    "update_draft", "withdraw_amendment", "withdraw_proposal",
    "withdraw_stake", "window_refusal",
    "hold_for_objections", "maintain_objection", "object_to_weight", "settle_objections",
    "vote_on_weights", "withdraw_objection", "MEETING_METHODS", "record_meeting_vote",
]
