"""Self-managed decisions: rules, proposals, amendments, rolls, ballots, records.

The life of a proposal (the services package writes every step):

    draft ──publish──▶ deliberation ──open_voting──▶ voting ──close_voting──▶ closed
      │                  │    │                                              (Decision)
      └──withdraw──▶ withdrawn ◀┘    └──refer_down──▶ referred (copies in sub-chapters)

Who decides, with what weight and under which rule is always explicit:
`DecisionRule` (per chapter and category, inherited down the tree) says how;
`AffectedGroup` and `StakeDeclaration` say who and with what weight; the `Roll`
freezes both when voting opens; the `Decision` records the outcome in a hash chain.

Secret ballots: `Participation` (who voted) and `SecretBallot` (what was voted)
share no column, no timestamp and no ordered key; see SecretBallot.

One module per stage: rules (methods, categories, DecisionRule), proposals (the
proposal, its versions, amendments, options, affectedness and events), ballots (the
roll and the ballots) and records (the Decision and dissent). Everything is
re-exported here: `from chapterhouse.decisions.models import Proposal`.
"""

from __future__ import annotations

from .ballots import (
    Ballot,
    Participation,
    Roll,
    RollEntry,
    SecretBallot,
)
from .objections import (
    WEIGHTS_VOTE_DAYS,
    ObjectionResolution,
    WeightObjection,
    WeightsReview,
    WeightsVote,
    settlers_chapter,
)
from .proposals import (
    AffectedGroup,
    Amendment,
    Option,
    Proposal,
    ProposalEvent,
    ProposalQuerySet,
    ProposalVersion,
    StakeDeclaration,
)
from .records import (
    Decision,
    Dissent,
    DissentEntry,
    canonical_json,
)
from .rules import (
    BUILT_IN_RULES,
    MAX_WEIGHT,
    MEETING_METHODS,
    MULTI_OPTION_METHODS,
    WEIGHT_QUANTUM,
    YES_NO_METHODS,
    Category,
    DecisionRule,
    Method,
)

__all__ = [
    "AffectedGroup",
    "Amendment",
    "BUILT_IN_RULES",
    "Ballot",
    "Category",
    "Decision",
    "DecisionRule",
    "Dissent",
    "DissentEntry",
    "MAX_WEIGHT",
    "WEIGHT_QUANTUM",
    "MEETING_METHODS",
    "MULTI_OPTION_METHODS",
    "Method",
    "ObjectionResolution",
    "Option",
    "Participation",
    "Proposal",
    "ProposalEvent",
    "ProposalQuerySet",
    "ProposalVersion",
    "Roll",
    "RollEntry",
    "SecretBallot",
    "StakeDeclaration",
    "WeightObjection",
    "WeightsReview",
    "WeightsVote",
    "WEIGHTS_VOTE_DAYS",
    "YES_NO_METHODS",
    "canonical_json",
    "settlers_chapter",
]
